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
import { limitErrors } from './document-precheck';

/** What the cache answers: a document that parsed and validated, or why it did not. */
export type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/**
 * Estimated heap per lexical token of a parsed document: the AST keeps every token (a linked
 * list, for error locations) and a node per few tokens; measured at 390-490 bytes a token on
 * our queries (Node 20), rounded up.
 */
const BYTES_PER_TOKEN = 512;

/**
 * Parsed documents that validated, by key, LRU within `maxBytes` of estimated memory (the text,
 * twice: the key or source and the string values sliced out of it; the syntax tree by its
 * tokens). A document over an eighth of the budget is not kept: one request must not evict
 * everyone's. Shared by both transports' caches, so together they stay within one budget.
 */
export class DocumentLru {
  private readonly entries = new Map<string, { document: DocumentNode; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): DocumentNode | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Most recently used last: eviction takes from the front.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.document;
  }

  set(key: string, document: DocumentNode): void {
    this.delete(key);
    const bytes = (key.length + (document.loc?.source.body.length ?? 0)) * 2 + tokenCount(document) * BYTES_PER_TOKEN;
    if (bytes > this.maxBytes / 8) return;
    for (const [old, entry] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.entries.delete(old);
      this.bytes -= entry.bytes;
    }
    this.entries.set(key, { document, bytes });
    this.bytes += bytes;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    return true;
  }

  /** Entries and estimated bytes held (for tests). */
  size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}

/**
 * Parsed and validated WebSocket documents by query text: clients send the same few queries over
 * and over, and parse + validate is most of a subscription's setup cost. Only documents that
 * validated are kept (a failing one is parsed again if it comes again, like any bad request);
 * variables are never part of an entry.
 */
export class DocumentCache {
  constructor(
    private readonly schema: GraphQLSchema,
    /** `rules`: the shape caps, run alone first (document-precheck.ts), then graphql-js's own rules. */
    private readonly options: { lru: DocumentLru; parseOptions: ParseOptions; rules: readonly ValidationRule[] },
  ) {}

  get(query: string): CheckedDocument {
    const hit = this.options.lru.get(query);
    if (hit) return { document: hit };
    let document: DocumentNode;
    try {
      document = parse(query, this.options.parseOptions);
    } catch (err) {
      if (err instanceof GraphQLError) return { errors: [err] };
      throw err;
    }
    const capped = limitErrors(this.schema, document, this.options.rules);
    if (capped.length > 0) return { errors: capped };
    const errors = validate(this.schema, document, specifiedRules);
    if (errors.length > 0) return { errors };
    this.options.lru.set(query, document);
    return { document };
  }
}

/**
 * Apollo's documentStore (HTTP) over a {@link DocumentLru}: Apollo stores only documents that
 * validated, by a hash of their text. Its default store sizes entries by JSON.stringify-ing the
 * syntax tree, and would keep a 20 MB document, evicting every other.
 */
export function apolloDocumentStore(lru: DocumentLru): {
  get(key: string): Promise<DocumentNode | undefined>;
  set(key: string, document: DocumentNode): Promise<void>;
  delete(key: string): Promise<boolean>;
} {
  return {
    get: async (key) => lru.get(key),
    set: async (key, document) => lru.set(key, document),
    delete: async (key) => lru.delete(key),
  };
}

function tokenCount(document: DocumentNode): number {
  let n = 0;
  for (let t = document.loc?.startToken ?? null; t; t = t.next) n++;
  return n;
}
