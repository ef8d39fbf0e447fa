import { ApolloServer } from '@apollo/server';
import type { Request, Response } from 'express';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { DocumentCache, DocumentLru, apolloDocumentStore } from '../../../src/server/document-cache';
import { apolloDocumentKey, documentPrecheck, schemaHashOf } from '../../../src/server/document-precheck';
import { documentLimitRules, documentParseOptions } from '../../../src/server/document-rules';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { echo: { type: GraphQLString, args: { text: { type: GraphQLString } } } } }),
});
const limits = { maxQueryDepth: 10, maxQueryComplexity: 1000, maxQueryTokens: 2000, maxQueryAliases: 15, maxQueryDirectives: 50 };
const limitRules = documentLimitRules(limits);
const parseOptions = documentParseOptions(limits);
/** Over the alias cap, and every alias an unknown field: graphql-js's rules would report each. */
const aliasBomb = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: nope`).join(' ')} }`;

/** Runs the precheck on a POSTed body: the status and body it answered, or that it passed the request on. */
function precheck(lru: DocumentLru, query: string): { passed: boolean; status?: number; body?: { errors: Array<{ message: string; extensions: { code: string } }> } } {
  const out: ReturnType<typeof precheck> = { passed: false };
  const res = {
    status(code: number) {
      out.status = code;
      return res;
    },
    json(body: NonNullable<typeof out.body>) {
      out.body = body;
      return res;
    },
  };
  documentPrecheck({ schema, lru, parseOptions, limitRules })({ body: { query } } as Request, res as unknown as Response, () => {
    out.passed = true;
  });
  return out;
}

describe('shape caps before graphql-js validation', () => {
  it('WebSocket: a document over a cap gets the cap error alone, graphql-js rules never run on it', () => {
    const c = new DocumentCache(schema, { lru: new DocumentLru(1024 * 1024), parseOptions, rules: limitRules });
    const errors = c.get(aliasBomb).errors ?? [];
    expect(errors.map((e) => e.message)).toEqual(['Aliases limit of 15 exceeded, found 40.']);
    // Within the caps, graphql-js's rules still run.
    expect(c.get('{ a: nope }').errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
  });

  it('HTTP: a document over a cap is answered 400 BAD_USER_INPUT before Apollo, with the cap error alone', () => {
    const r = precheck(new DocumentLru(1024 * 1024), aliasBomb);
    expect(r.passed).toBe(false);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errors: [{ message: 'Aliases limit of 15 exceeded, found 40.', extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('HTTP: documents within the caps, and ones that do not parse, go on to Apollo', () => {
    const lru = new DocumentLru(1024 * 1024);
    expect(precheck(lru, '{ echo }').passed).toBe(true);
    expect(precheck(lru, '{ a: nope }').passed).toBe(true); // Apollo reports the unknown field
    expect(precheck(lru, '{ echo ').passed).toBe(true); // and the syntax error
  });

  it('HTTP: a document Apollo validated and stored is not checked again (the key is Apollo’s)', async () => {
    const lru = new DocumentLru(1024 * 1024);
    const apollo = new ApolloServer({ schema, documentStore: apolloDocumentStore(lru) });
    await apollo.start();
    try {
      const query = '{ echo(text: "hi") }';
      const r = await apollo.executeOperation({ query });
      expect(r.body.kind === 'single' && r.body.singleResult.errors).toBeFalsy();
      expect(lru.get(apolloDocumentKey(schemaHashOf(schema), query))).toBeDefined();
      // A stored key is trusted: even a document over the caps under that key is passed on unparsed.
      lru.set(apolloDocumentKey(schemaHashOf(schema), aliasBomb), lru.get(apolloDocumentKey(schemaHashOf(schema), query))!);
      expect(precheck(lru, aliasBomb).passed).toBe(true);
    } finally {
      await apollo.stop();
    }
  });
});
