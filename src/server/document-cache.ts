import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';

/** What the cache answers: a document that parsed and validated, or why it did not. */
export type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/**
 * Estimated heap per lexical token of a parsed document: the AST keeps every token (a linked
 * list, for error locations) and a node per few tokens; measured at 390-490 bytes a token on
 * our queries (Node 20), rounded up.
 */
const BYTES_PER_TOKEN = 512;

/**
 * Parsed and validated WebSocket documents by query text: clients send the same few queries over
 * and over, and parse + validate is most of a subscription's setup cost. Only documents that
 * validated are kept (a failing one is parsed again if it comes again, like any bad request),
 * LRU within `maxBytes` of estimated memory (text, and syntax tree by its tokens); a document
 * over an eighth of that is not kept at all. Variables are never part of an entry.
 */
export class DocumentCache {
  private readonly entries = new Map<string, { document: DocumentNode; bytes: number }>();
  private bytes = 0;
  private readonly rules: readonly ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: { maxBytes: number; parseOptions: ParseOptions; rules: readonly ValidationRule[] },
  ) {
    this.rules = [...specifiedRules, ...options.rules];
  }

  get(query: string): CheckedDocument {
    const hit = this.entries.get(query);
    if (hit) {
      // Most recently used last: eviction takes from the front.
      this.entries.delete(query);
      this.entries.set(query, hit);
      return { document: hit.document };
    }
    let document: DocumentNode;
    try {
      document = parse(query, this.options.parseOptions);
    } catch (err) {
      if (err instanceof GraphQLError) return { errors: [err] };
      throw err;
    }
    const errors = validate(this.schema, document, this.rules);
    if (errors.length > 0) return { errors };
    this.remember(query, document);
    return { document };
  }

  /** Estimated bytes held (for tests and metrics). */
  size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remember(query: string, document: DocumentNode): void {
    // The text is held twice (the key, and string values sliced out of it), two bytes a char.
    const bytes = query.length * 4 + tokenCount(document) * BYTES_PER_TOKEN;
    if (bytes > this.options.maxBytes / 8) return;
    for (const [key, old] of this.entries) {
      if (this.bytes + bytes <= this.options.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    this.entries.set(query, { document, bytes });
    this.bytes += bytes;
  }
}

function tokenCount(document: DocumentNode): number {
  let n = 0;
  for (let t = document.loc?.startToken ?? null; t; t = t.next) n++;
  return n;
}
