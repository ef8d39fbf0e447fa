import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapterFor } from '../../../src/providers/dialects';
import { PROVIDERS } from '../../../src/providers/registry';
import { ApiDialect, PROVIDER_IDS, UpstreamError } from '../../../src/providers/types';
import { MIDSTREAM_ERROR_FIXTURES, STREAM_FIXTURES } from '../../fixtures/providers/expectations';
import { splitRandomly } from './support/chunks';
import { collect } from './support/collect';
import { ReplayServer } from './support/replay-server';
import { TEST_KEY, chatRequest } from './support/requests';

const FIXTURES = join(__dirname, '../../fixtures/providers');
const fixtureBytes = (file: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, file)));

const SSE_PROVIDERS = PROVIDER_IDS.filter((id) => PROVIDERS[id].dialect !== ApiDialect.BEDROCK_CONVERSE);

let server: ReplayServer;
let base: string;
let chunks: Uint8Array[] = [];

beforeAll(async () => {
  server = new ReplayServer(() => ({ chunks }));
  base = await server.start();
});
afterAll(() => server.stop());

describe.each(SSE_PROVIDERS)('%s replayed through its adapter', (id) => {
  const provider = PROVIDERS[id];
  const expected = STREAM_FIXTURES[id];

  it('has a fixture in its declared dialect', () => {
    expect(expected.dialect).toBe(provider.dialect);
  });

  it.each([1, 2, 3])('normalizes the recorded stream cut at random boundaries (seed %i)', async (seed) => {
    const bytes = fixtureBytes(expected.file);
    // Seed 1 cuts into 1–6 byte pieces: most multi-byte characters straddle two TCP reads.
    chunks = seed === 1 ? splitRandomly(bytes, seed, 6) : splitRandomly(bytes, seed * 7919, 24);
    const stream = await adapterFor(provider.dialect).open(chatRequest(provider, base));
    const got = await collect(stream.events);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(expected.text);
    expect(got.reasoning).toBe(expected.reasoning);
    expect(got.usage).toEqual(expected.usage);
    expect(got.finishReason).toBe(expected.finishReason);
    // finish comes last, after the final usage, whatever order the provider used
    expect(got.order[got.order.length - 1]).toBe('finish');
  });

  it('yields the same text and no usage for the no-usage variant', async () => {
    chunks = splitRandomly(fixtureBytes(expected.noUsageFile), 42, 32);
    const stream = await adapterFor(provider.dialect).open(chatRequest(provider, base));
    const got = await collect(stream.events);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(expected.text);
    expect(got.reasoning).toBe(expected.reasoning);
    expect(got.usage).toBeUndefined();
    expect(got.finishReason).toBe(expected.finishReason);
  });
});

const SSE_DIALECTS = [ApiDialect.OPENAI_CHAT, ApiDialect.ANTHROPIC_MESSAGES, ApiDialect.GEMINI] as const;

describe.each(SSE_DIALECTS)('%s mid-stream error', (dialect) => {
  const fixture = MIDSTREAM_ERROR_FIXTURES[dialect];
  const id = SSE_PROVIDERS.find((p) => PROVIDERS[p].dialect === dialect);

  it('yields the earlier deltas, then throws UpstreamError phase midstream', async () => {
    if (!id) throw new Error(`no provider speaks ${dialect}`);
    const provider = PROVIDERS[id];
    chunks = splitRandomly(fixtureBytes(fixture.file), 5, 16);
    const stream = await adapterFor(dialect).open(chatRequest(provider, base));
    const got = await collect(stream.events);
    expect(got.text).toBe(fixture.textBeforeError);
    expect(got.error).toBeInstanceOf(UpstreamError);
    const error = got.error as UpstreamError;
    expect(error.phase).toBe('midstream');
    expect(error.status).toBe(0);
    expect(error.info.code).toBe('UPSTREAM_ERROR');
    expect(error.info.retryable).toBe(false);
    expect(error.message).toContain(fixture.errorType);
    expect(error.message).not.toContain(TEST_KEY);
    expect(got.order).not.toContain('finish');
  });
});

describe('malformed and truncated streams', () => {
  const provider = PROVIDERS.OPENAI;

  it('a non-JSON data event is a mid-stream error, not a crash', async () => {
    chunks = [new TextEncoder().encode('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {not json\n\n')];
    const got = await collect((await adapterFor(provider.dialect).open(chatRequest(provider, base))).events);
    expect(got.text).toBe('a');
    expect(got.error).toBeInstanceOf(UpstreamError);
    expect((got.error as UpstreamError).phase).toBe('midstream');
  });

  it('EOF without [DONE] still ends cleanly with the finish reason seen', async () => {
    chunks = [
      new TextEncoder().encode(
        'data: {"choices":[{"delta":{"content":"ok"},"finish_reason":null}]}\n\n' +
          'data: {"choices":[{"delta":{},"finish_reason":"length"}]}\n\n',
      ),
    ];
    const got = await collect((await adapterFor(provider.dialect).open(chatRequest(provider, base))).events);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe('ok');
    expect(got.finishReason).toBe('length');
  });
});
