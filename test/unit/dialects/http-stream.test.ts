import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { adapterFor } from '../../../src/providers/dialects';
import { PROVIDERS } from '../../../src/providers/registry';
import { UpstreamError } from '../../../src/providers/types';
import type { ProviderDeclaration, UpstreamErrorInfo } from '../../../src/providers/types';
import { STREAM_FIXTURES } from '../../fixtures/providers/expectations';
import { ReplayServer } from './support/replay-server';
import type { Reply } from './support/replay-server';
import { TEST_KEY, chatRequest } from './support/requests';

const FIXTURES = join(__dirname, '../../fixtures/providers');
const enc = new TextEncoder();

let server: ReplayServer;
let base: string;
let reply: Reply = { chunks: [] };

beforeAll(async () => {
  server = new ReplayServer(() => reply);
  base = await server.start();
});
afterAll(() => server.stop());

function openWith(provider: ProviderDeclaration, overrides = {}) {
  return adapterFor(provider.dialect).open(chatRequest(provider, base, overrides));
}

async function connectError(provider: ProviderDeclaration, status: number, body: string): Promise<UpstreamError> {
  reply = { status, headers: { 'content-type': 'application/json' }, chunks: [enc.encode(body)] };
  const err: unknown = await openWith(provider).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  const upstream = err as UpstreamError;
  expect(upstream.phase).toBe('connect');
  expect(upstream.status).toBe(status);
  expect(upstream.message).not.toContain(TEST_KEY);
  return upstream;
}

describe('request headers', () => {
  beforeEach(() => {
    reply = { chunks: [enc.encode('data: [DONE]\n\n')] };
  });

  it('bearer auth, operator headers, JSON in, SSE out', async () => {
    await openWith(PROVIDERS.OPENAI, { extraHeaders: { 'User-Agent': 'Kilo-Code/5.12', 'X-Extra': '1' } });
    const { headers } = server.requests[server.requests.length - 1]!;
    expect(headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(headers['user-agent']).toBe('Kilo-Code/5.12');
    expect(headers['x-extra']).toBe('1');
    expect(headers['content-type']).toBe('application/json');
    expect(headers.accept).toBe('text/event-stream');
  });

  it.each(['ANTHROPIC', 'MINIMAX'] as const)('%s: its key header plus anthropic-version, no Authorization', async (id) => {
    reply = { chunks: [enc.encode('event: message_stop\ndata: {"type":"message_stop"}\n\n')] };
    await openWith(PROVIDERS[id]);
    const { headers, url } = server.requests[server.requests.length - 1]!;
    expect(headers['x-api-key']).toBe(TEST_KEY);
    expect(headers['anthropic-version']).toBe('2023-06-01');
    expect(headers.authorization).toBeUndefined();
    expect(url).toBe('/messages');
  });

  it('Gemini: x-goog-api-key header, the key never in the URL', async () => {
    reply = { chunks: [] };
    const stream = await openWith(PROVIDERS.GOOGLE, { upstreamModel: 'gemini-2.5-flash' });
    for await (const _ of stream.events) void _;
    const { headers, url } = server.requests[server.requests.length - 1]!;
    expect(headers['x-goog-api-key']).toBe(TEST_KEY);
    expect(url).toBe('/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(url).not.toContain(TEST_KEY);
  });
});

describe('errors before the first byte', () => {
  const cases: [number, UpstreamErrorInfo['code'], boolean, string][] = [
    [401, 'BYOK_KEY_INVALID', false, '{"error":{"message":"Incorrect API key provided: sk-test…9b8a","code":"invalid_api_key"}}'],
    [403, 'BYOK_KEY_INVALID', false, '{"error":{"message":"forbidden"}}'],
    [429, 'UPSTREAM_RATE_LIMITED', true, '{"error":{"message":"Rate limit reached","type":"requests"}}'],
    [402, 'UPSTREAM_INSUFFICIENT_FUNDS', false, '{"error":{"message":"Insufficient balance"}}'],
    [500, 'UPSTREAM_ERROR', true, '{"error":{"message":"boom"}}'],
    [503, 'UPSTREAM_ERROR', true, 'upstream connect error'],
    [400, 'UPSTREAM_ERROR', false, '{"error":{"message":"Use max_completion_tokens","code":"unsupported_parameter"}}'],
  ];

  it.each(cases)('HTTP %i → %s (retryable %s)', async (status, code, retryable, body) => {
    const err = await connectError(PROVIDERS.OPENAI, status, body);
    expect(err.info.code).toBe(code);
    expect(err.info.retryable).toBe(retryable);
  });

  it("uses the provider's quirk mapping (xAI bad key is HTTP 400)", async () => {
    const err = await connectError(PROVIDERS.XAI, 400, '{"code":"Client specified an invalid argument","error":"Incorrect API key provided: sk***8a."}');
    expect(err.info.code).toBe('BYOK_KEY_INVALID');
  });

  it('Gemini bad key (HTTP 400 API_KEY_INVALID) and Anthropic overloaded (529)', async () => {
    const gemini = await connectError(
      PROVIDERS.GOOGLE,
      400,
      '{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}',
    );
    expect(gemini.info.code).toBe('BYOK_KEY_INVALID');
    const anthropic = await connectError(PROVIDERS.ANTHROPIC, 529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
    expect(anthropic.info).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: true });
  });

  it('reads at most 16 KB of an error body', async () => {
    const seen: number[] = [];
    const provider: ProviderDeclaration = {
      ...PROVIDERS.OPENAI,
      mapError: (_status, body) => {
        seen.push(body.length);
        return undefined;
      },
    };
    await connectError(provider, 500, 'x'.repeat(1024 * 1024));
    expect(seen[0]).toBe(16 * 1024);
  });

  it('a refused connection is status 0, retryable, without the URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const err: unknown = await adapterFor(PROVIDERS.OPENAI.dialect)
      .open(chatRequest(PROVIDERS.OPENAI, `http://127.0.0.1:${port}/v1`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(0);
    expect((err as UpstreamError).info).toEqual({ code: 'UPSTREAM_ERROR', message: 'could not connect to OpenAI', retryable: true });
  });
});

describe('aborting and stopping early', () => {
  const opening = readFileSync(join(FIXTURES, STREAM_FIXTURES.ANTHROPIC.file)).subarray(0, 1500);

  it('an abort before the answer rejects with the AbortError itself', async () => {
    const controller = new AbortController();
    controller.abort();
    const err: unknown = await openWith(PROVIDERS.OPENAI, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UpstreamError);
    expect((err as Error).name).toBe('AbortError');
  });

  it('an abort mid-stream propagates as AbortError and closes the upstream socket', async () => {
    reply = { chunks: [opening], holdOpen: true };
    const controller = new AbortController();
    const stream = await openWith(PROVIDERS.ANTHROPIC, { signal: controller.signal });
    const iterator = stream.events[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    controller.abort();
    // Events already received may still come out; then the abort surfaces, untouched.
    let err: unknown;
    try {
      for (let result = await iterator.next(); !result.done; result = await iterator.next());
    } catch (e) {
      err = e;
    }
    expect(err).not.toBeInstanceOf(UpstreamError);
    expect((err as Error | undefined)?.name).toBe('AbortError');
    await server.lastSocketClosed;
  });

  it('return() from the consumer cancels the body and closes the upstream socket', async () => {
    reply = { chunks: [opening], holdOpen: true };
    const stream = await openWith(PROVIDERS.ANTHROPIC);
    for await (const event of stream.events) {
      if (event.type === 'delta') break;
    }
    await server.lastSocketClosed;
  });
});

describe('after the terminator', () => {
  const done = enc.encode('data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');

  it('reads the rest of the body, so the next completion reuses the connection', async () => {
    reply = { chunks: [done], endAfterMs: 50 }; // the end of the body comes in a later read
    for (let i = 0; i < 3; i++) {
      const stream = await openWith(PROVIDERS.OPENAI);
      for await (const _ of stream.events) void _;
      await new Promise((resolve) => setTimeout(resolve, 300)); // the socket returns to the pool on the body's end (50 ms)
    }
    const last = server.requests.slice(-3).map((r) => r.connection);
    expect(new Set(last).size).toBe(1);
  });

  it('closes a body that does not end within 2 s of it', async () => {
    reply = { chunks: [done], holdOpen: true };
    const stream = await openWith(PROVIDERS.OPENAI);
    const got: string[] = [];
    for await (const e of stream.events) got.push(e.type);
    expect(got).toEqual(['delta', 'finish']);
    const started = Date.now();
    await server.lastSocketClosed;
    expect(Date.now() - started).toBeGreaterThan(1500);
  });
});
