import { createHash } from 'node:crypto';
import { type GraphQLError, parse, printSchema, validate, type DocumentNode, type GraphQLSchema, type ParseOptions, type ValidationRule } from 'graphql';
import type { RequestHandler } from 'express';
import type { DocumentLru } from './document-cache';

/**
 * The shape caps (aliases, directives, depth: server/document-rules.ts) run alone, before
 * graphql-js's own rules: a document over a cap is refused without the full validation, whose
 * cost grows with the very thing the cap limits (200 same-named fields are 20,000 field-merge
 * comparisons and an error each). The hostile bench's alias attackers cost the gateway ~3 ms
 * of event loop a request before; see bench/README.md "hostile".
 */
export function limitErrors(schema: GraphQLSchema, document: DocumentNode, limitRules: readonly ValidationRule[]): readonly GraphQLError[] {
  return validate(schema, document, limitRules);
}

/**
 * The key Apollo gives a document in its documentStore (a hash of the schema, then of the text):
 * a document found there validated already, caps included, and is not checked again.
 */
export function apolloDocumentKey(schemaHash: string, query: string): string {
  return `${schemaHash}:${createHash('sha256').update(query).digest('hex')}`;
}

export function schemaHashOf(schema: GraphQLSchema): string {
  return createHash('sha256').update(printSchema(schema)).digest('hex');
}

/**
 * HTTP: runs the caps on a POSTed document Apollo has not validated before, and answers a
 * document over a cap with 400 BAD_USER_INPUT at once, as Apollo would after its full
 * validation. A document that does not parse goes on to Apollo, which reports the syntax error.
 */
export function documentPrecheck(deps: { schema: GraphQLSchema; lru: DocumentLru; parseOptions: ParseOptions; limitRules: readonly ValidationRule[] }): RequestHandler {
  const schemaHash = schemaHashOf(deps.schema);
  return (req, res, next) => {
    const query = (req.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string' || deps.lru.get(apolloDocumentKey(schemaHash, query))) {
      next();
      return;
    }
    let document: DocumentNode;
    try {
      document = parse(query, deps.parseOptions);
    } catch {
      next();
      return;
    }
    const errors = limitErrors(deps.schema, document, deps.limitRules);
    if (errors.length === 0) {
      next();
      return;
    }
    res.status(400).json({ errors: errors.map((e) => ({ message: e.message, extensions: { code: 'BAD_USER_INPUT' } })) });
  };
}
