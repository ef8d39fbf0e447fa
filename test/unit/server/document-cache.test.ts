import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { parse } from 'graphql';
import { DocumentCache, DocumentLru, apolloDocumentStore } from '../../../src/server/document-cache';
import { documentLimitRules, documentParseOptions } from '../../../src/server/document-rules';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { echo: { type: GraphQLString, args: { text: { type: GraphQLString } } } } }),
});
const limits = { maxQueryDepth: 10, maxQueryComplexity: 1000, maxQueryTokens: 2000, maxQueryAliases: 15, maxQueryDirectives: 50 };

function cache(maxBytes: number): DocumentCache & { size(): { entries: number; bytes: number } } {
  const lru = new DocumentLru(maxBytes);
  return Object.assign(new DocumentCache(schema, { lru, parseOptions: documentParseOptions(limits), rules: documentLimitRules(limits) }), { size: () => lru.size() });
}

describe('DocumentCache (WebSocket parsed documents)', () => {
  it('returns the same parsed document for the same text, and keeps only documents that validated', () => {
    const c = cache(1024 * 1024);
    const a = c.get('{ echo }');
    expect(a.errors).toBeUndefined();
    expect(c.get('{ echo }').document).toBe(a.document);
    expect(c.get('{ nope }').errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    expect(c.get('{ echo ').errors?.[0]?.message).toMatch(/Syntax Error/);
    expect(c.get(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: echo`).join(' ')} }`).errors?.[0]?.message).toMatch(/Aliases limit/);
    expect(c.size().entries).toBe(1);
  });

  it('stops parsing at the token limit: a huge document costs its first 2000 tokens', () => {
    const c = cache(1024 * 1024);
    const r = c.get(`{ ${'a '.repeat(2_000_000)}}`);
    expect(r.errors?.[0]?.message).toMatch(/more tha[nt] 2000 tokens/);
    expect(c.size().entries).toBe(0);
  });

  it('stays within its byte budget, dropping the least recently used first', () => {
    const c = cache(64 * 1024);
    const docs = Array.from({ length: 100 }, (_, i) => `{ echo(text: "${i}") }`);
    c.get(docs[0]!);
    for (const d of docs.slice(1)) {
      c.get(d);
      c.get(docs[0]!); // kept in use: never the one evicted
      expect(c.size().bytes).toBeLessThanOrEqual(64 * 1024);
    }
    const { entries } = c.size();
    expect(entries).toBeGreaterThan(10);
    expect(entries).toBeLessThan(100);
    const first = c.get(docs[0]!).document;
    expect(c.get(docs[0]!).document).toBe(first);
    expect(c.size().entries).toBe(entries);
  });

  it('does not keep a document over an eighth of the budget (an inlined 1 MB prompt)', () => {
    const c = cache(1024 * 1024);
    const big = `{ echo(text: "${'x'.repeat(1024 * 1024)}") }`;
    expect(c.get(big).errors).toBeUndefined();
    expect(c.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('serves as Apollo’s documentStore (HTTP) within the same budget, without a huge document', async () => {
    const lru = new DocumentLru(64 * 1024);
    const store = apolloDocumentStore(lru);
    const small = parse('{ echo }');
    await store.set('k1', small);
    expect(await store.get('k1')).toBe(small);
    await store.set('k2', parse(`{ echo(text: "${'x'.repeat(64 * 1024)}") }`));
    expect(await store.get('k2')).toBeUndefined();
    for (let i = 0; i < 100; i++) await store.set(`n${i}`, parse(`{ echo(text: "${i}") }`));
    expect(lru.size().bytes).toBeLessThanOrEqual(64 * 1024);
    expect(await store.get('k1')).toBeUndefined(); // least recently used, evicted
    expect(await store.delete('n99')).toBe(true);
  });
});
