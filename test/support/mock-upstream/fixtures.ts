/**
 * Recorded stream bodies the chat routes replay. The table and the Bedrock frame encoder are
 * resolved lazily at the first chat request (not imported), so the mock compiles and serves
 * validation routes even before test/fixtures/providers exists.
 *
 * Contract (test/fixtures/providers/expectations.ts): `STREAM_FIXTURES[providerId] =
 * {file, noUsageFile, midstreamErrorFile, …}` with paths relative to that folder. `.sse` files
 * are raw SSE bodies; Bedrock `.jsonl` lines are `{"<eventType>": payload}` objects, encoded
 * into event-stream frames by `encodeBedrockJsonl` from `bedrock-frames.ts`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { ProviderId } from '../../../src/providers/types';

export interface StreamFixture {
  file: string;
  noUsageFile: string;
  midstreamErrorFile: string;
  /** The rest (expected text, usage, …) is for the tests, not the mock. */
  [other: string]: unknown;
}

export type EncodeBedrockJsonl = (text: string) => Uint8Array[];

export interface FixtureSource {
  /** Folder the table's file paths are relative to. */
  dir: string;
  table: Partial<Record<ProviderId, StreamFixture>>;
  /** Defaults to `encodeBedrockJsonl` from `dir`/bedrock-frames.ts. */
  encodeBedrockJsonl?: EncodeBedrockJsonl;
}

export type FixtureVariant = 'normal' | 'no-usage' | 'midstream-error';

export const DEFAULT_FIXTURES_DIR = path.resolve(__dirname, '../../fixtures/providers');

function tryRequire(modulePath: string): Record<string, unknown> | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(modulePath) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(modulePath)) return undefined;
    throw err;
  }
}

/** The shared fixture table; throws a clear error while it does not exist yet. */
export function loadDefaultFixtures(dir = DEFAULT_FIXTURES_DIR): FixtureSource {
  const mod = tryRequire(path.join(dir, 'expectations'));
  const table = mod?.STREAM_FIXTURES as FixtureSource['table'] | undefined;
  if (!table) throw new Error(`mock-upstream: no STREAM_FIXTURES in ${path.join(dir, 'expectations.ts')}`);
  return { dir, table };
}

function sharedEncoder(dir: string): EncodeBedrockJsonl | undefined {
  const encode = tryRequire(path.join(dir, 'bedrock-frames'))?.encodeBedrockJsonl;
  return typeof encode === 'function' ? (encode as EncodeBedrockJsonl) : undefined;
}

/** Reads and caches fixture bodies (Bedrock `.jsonl` encoded into frames). */
export class FixtureStore {
  private source: FixtureSource | undefined;
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly explicit?: FixtureSource) {}

  private resolve(): FixtureSource {
    this.source ??= this.explicit ?? loadDefaultFixtures();
    return this.source;
  }

  /** The body bytes for a provider's fixture variant; throws when there is none. */
  body(provider: ProviderId, variant: FixtureVariant): Buffer {
    const source = this.resolve();
    const fixture = source.table[provider];
    if (!fixture) throw new Error(`mock-upstream: no stream fixture for ${provider}`);
    const file =
      variant === 'normal' ? fixture.file : variant === 'no-usage' ? fixture.noUsageFile : fixture.midstreamErrorFile;
    return this.file(file);
  }

  /** The body bytes of a fixture file (relative to the fixture folder). */
  file(file: string): Buffer {
    const source = this.resolve();
    const full = path.resolve(source.dir, file);
    let body = this.cache.get(full);
    if (!body) {
      const raw = readFileSync(full);
      if (full.endsWith('.jsonl')) {
        const encode = source.encodeBedrockJsonl ?? sharedEncoder(source.dir);
        if (!encode) throw new Error(`mock-upstream: no encodeBedrockJsonl in ${path.join(source.dir, 'bedrock-frames.ts')}`);
        body = Buffer.concat(encode(raw.toString('utf8')));
      } else {
        body = raw;
      }
      this.cache.set(full, body);
    }
    return body;
  }
}
