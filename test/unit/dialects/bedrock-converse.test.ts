import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapterFor } from '../../../src/providers/dialects';
import { PROVIDERS } from '../../../src/providers/registry';
import { UpstreamError } from '../../../src/providers/types';
import type { UpstreamChatRequest, UpstreamErrorInfo } from '../../../src/providers/types';
import { BEDROCK_EVENT_STREAM_CONTENT_TYPE, encodeBedrockJsonl } from '../../fixtures/providers/bedrock-frames';
import { MIDSTREAM_ERROR_FIXTURES, STREAM_FIXTURES } from '../../fixtures/providers/expectations';
import { concatBytes, splitRandomly } from './support/chunks';
import { collect } from './support/collect';
import { ReplayServer } from './support/replay-server';
import type { Reply } from './support/replay-server';
import { TEST_AWS, chatRequest } from './support/requests';

const FIXTURES = join(__dirname, '../../fixtures/providers');
const bedrock = PROVIDERS.BEDROCK;
const expected = STREAM_FIXTURES.BEDROCK;
const framesOf = (file: string): Uint8Array[] => encodeBedrockJsonl(readFileSync(join(FIXTURES, file), 'utf8'));
const streamReply = (chunks: Uint8Array[], holdOpen = false): Reply => ({
  headers: { 'content-type': BEDROCK_EVENT_STREAM_CONTENT_TYPE, 'x-amzn-requestid': 'req-1' },
  chunks,
  holdOpen,
});

let server: ReplayServer;
let base: string;
let reply: Reply = streamReply([]);

beforeAll(async () => {
  server = new ReplayServer(() => reply);
  base = await server.start();
});
afterAll(() => server.stop());

function request(overrides: Partial<UpstreamChatRequest> = {}): UpstreamChatRequest {
  // The registry's `{region}` template, pointed at the local server.
  return chatRequest(bedrock, `${base}/{region}`, {
    credential: { ...TEST_AWS },
    upstreamModel: 'us.anthropic.claude-sonnet-4-6',
    ...overrides,
  });
}

describe('Bedrock ConverseStream replayed from frames', () => {
  it.each([1, 2, 3, 4])('normalizes the fixture cut at random byte boundaries (seed %i)', async (seed) => {
    reply = streamReply(splitRandomly(concatBytes(framesOf(expected.file)), seed, seed === 1 ? 5 : 64));
    const got = await collect((await adapterFor(bedrock.dialect).open(request())).events);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(expected.text);
    expect(got.reasoning).toBe(expected.reasoning);
    expect(got.usage).toEqual(expected.usage);
    expect(got.finishReason).toBe(expected.finishReason);
    expect(got.order[got.order.length - 1]).toBe('finish');
  });

  it('no-usage variant: same text, no usage', async () => {
    reply = streamReply(framesOf(expected.noUsageFile));
    const got = await collect((await adapterFor(bedrock.dialect).open(request())).events);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(expected.text);
    expect(got.usage).toBeUndefined();
    expect(got.finishReason).toBe(expected.finishReason);
  });

  it('signs with SigV4 for the credential region and sends the Converse body', async () => {
    reply = streamReply(framesOf(expected.file));
    await collect(
      (await adapterFor(bedrock.dialect).open(request({ maxTokens: 300, temperature: 0.5, topP: 0.8, stop: ['END'] }))).events,
    );
    const sent = server.requests[server.requests.length - 1]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`/eu-west-3/model/${encodeURIComponent('us.anthropic.claude-sonnet-4-6')}/converse-stream`);
    expect(sent.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-3\/bedrock\/aws4_request/,
    );
    expect(JSON.parse(sent.body)).toEqual({
      // Claude gets cache points on the system prompt and the last user turn (tools.md §1.4).
      messages: [{ role: 'user', content: [{ text: 'Hello' }, { cachePoint: { type: 'default' } }] }],
      system: [{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }],
      inferenceConfig: { maxTokens: 300, temperature: 0.5, topP: 0.8, stopSequences: ['END'] },
    });
  });

  it('an exception frame mid-stream throws UpstreamError midstream after the earlier deltas', async () => {
    const fixture = MIDSTREAM_ERROR_FIXTURES.BEDROCK_CONVERSE;
    reply = streamReply(framesOf(fixture.file));
    const got = await collect((await adapterFor(bedrock.dialect).open(request())).events);
    expect(got.text).toBe(fixture.textBeforeError);
    expect(got.error).toBeInstanceOf(UpstreamError);
    const error = got.error as UpstreamError;
    expect(error.phase).toBe('midstream');
    expect(error.info).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
    expect(error.message).toContain(fixture.errorType);
  });
});

describe('Bedrock errors before the stream', () => {
  const cases: [string, number, UpstreamErrorInfo['code'], boolean][] = [
    ['UnrecognizedClientException', 403, 'BYOK_KEY_INVALID', false],
    ['ThrottlingException', 429, 'UPSTREAM_RATE_LIMITED', true],
    ['ServiceUnavailableException', 503, 'UPSTREAM_ERROR', true],
    ['InternalServerException', 500, 'UPSTREAM_ERROR', true],
    ['ValidationException', 400, 'UPSTREAM_ERROR', false],
  ];

  it.each(cases)('%s (HTTP %i) → %s', async (type, status, code, retryable) => {
    reply = {
      status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/` },
      chunks: [new TextEncoder().encode(JSON.stringify({ message: `${type} from the mock` }))],
    };
    const err: unknown = await adapterFor(bedrock.dialect)
      .open(request())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    const upstream = err as UpstreamError;
    expect(upstream.phase).toBe('connect');
    expect(upstream.status).toBe(status);
    expect(upstream.info.code).toBe(code);
    expect(upstream.info.retryable).toBe(retryable);
    expect(upstream.message).not.toContain(TEST_AWS.secretAccessKey);
  });

  it('a refused connection is status 0 and retryable', async () => {
    const err: unknown = await adapterFor(bedrock.dialect)
      .open(request({ endpoints: { api: 'http://127.0.0.1:1' } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(0);
    expect((err as UpstreamError).info).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: true });
  });
});

describe('Bedrock abort and early stop', () => {
  const opening = (): Uint8Array[] => framesOf(expected.file).slice(0, 3);

  it('abort mid-stream propagates the AbortError and closes the socket', async () => {
    reply = streamReply(opening(), true);
    const controller = new AbortController();
    const stream = await adapterFor(bedrock.dialect).open(request({ signal: controller.signal }));
    const iterator = stream.events[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    controller.abort();
    let err: unknown;
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next());
    } catch (e) {
      err = e;
    }
    expect(err).not.toBeInstanceOf(UpstreamError);
    expect((err as Error | undefined)?.name).toBe('AbortError');
    await server.lastSocketClosed;
  });

  it('return() from the consumer closes the socket', async () => {
    reply = streamReply(opening(), true);
    const stream = await adapterFor(bedrock.dialect).open(request());
    for await (const event of stream.events) {
      if (event.type === 'delta') break;
    }
    await server.lastSocketClosed;
  });
});
