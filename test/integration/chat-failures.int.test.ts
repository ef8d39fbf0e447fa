import { MIDSTREAM_ERROR_FIXTURES, STREAM_FIXTURES } from '../fixtures/providers/expectations';
import { ApiDialect, ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { CHAT, chatEvents, type ChatEvent } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream, type Scenario } from '../support/mock-upstream';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const HELLO = [{ role: 'USER', content: 'Hello there, please answer at length.' }];
const GPT = 'openai/gpt-5.4-mini';

async function usageRow(t: TestApp, requestId: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const r = (await t.app.db.query('SELECT * FROM usage_records WHERE request_id = $1', [requestId])) as Array<Record<string, unknown>>;
    return r[0];
  }, `usage record ${requestId}`);
}

describe('chatCompletion failures, aborts and concurrency', () => {
  let mock: MockUpstream;
  let t: TestApp;
  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('chatfail', { ...mock.env(), ...FAST_VALIDATION_ENV });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });
  afterEach(() => mock.reset());

  async function userWithKey(provider: string, scenario: Scenario) {
    const u = await t.createUser();
    const { input } = mockKeyInput(provider, scenario);
    const k = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey;
    await settledStatus(t, k.id);
    return { ...u, keyId: k.id };
  }

  it.each([
    [ProviderId.OPENAI, ApiDialect.OPENAI_CHAT, GPT],
    [ProviderId.ANTHROPIC, ApiDialect.ANTHROPIC_MESSAGES, 'anthropic/claude-sonnet-4.5'],
    [ProviderId.GOOGLE, ApiDialect.GEMINI, 'google/gemini-2.5-flash'],
    [ProviderId.BEDROCK, ApiDialect.BEDROCK_CONVERSE, 'anthropic/claude-sonnet-4.5'],
  ])('%s: a mid-stream error ends the subscription with a coded error; usage is FAILED with the tokens so far', async (provider, dialect, model) => {
    const u = await userWithKey(provider, 'midstream-error');
    const { events, errors } = await chatEvents(t, u.token, { model, messages: HELLO, provider });
    expect(events.map((e) => e.type)).toContain('DELTA');
    expect(events.filter((e) => e.type === 'DELTA').map((e) => e.content ?? '').join('')).toBe(MIDSTREAM_ERROR_FIXTURES[dialect].textBeforeError);
    expect(events.map((e) => e.type)).not.toContain('DONE');
    expect(errors.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
    const row = await usageRow(t, events[0]!.requestId);
    expect(row).toMatchObject({ status: 'FAILED', error_code: 'UPSTREAM_ERROR', key_id: u.keyId, usage_estimated: true });
    expect(row.output_tokens).toBeGreaterThan(0);
    // A failure in use is not a bad key.
    expect((await t.app.db.query('SELECT status FROM byok_keys WHERE id = $1', [u.keyId]))[0].status).toBe('VALID');
  });

  it.each([ProviderId.OPENAI, ProviderId.ANTHROPIC, ProviderId.GOOGLE, ProviderId.BEDROCK])(
    '%s: no usage reported → the USAGE event and the record are estimates, marked so',
    async (provider) => {
      const u = await userWithKey(provider, 'no-usage');
      const model = provider === ProviderId.OPENAI ? GPT : provider === ProviderId.GOOGLE ? 'google/gemini-2.5-flash' : 'anthropic/claude-sonnet-4.5';
      const { events, errors } = await chatEvents(t, u.token, { model, messages: HELLO, provider });
      expect(errors).toEqual([]);
      const text = events.filter((e) => e.type === 'DELTA').map((e) => e.content ?? '').join('');
      expect(text).toBe(STREAM_FIXTURES[provider].text);
      const usage = events.find((e) => e.type === 'USAGE')!.usage!;
      expect(usage.estimated).toBe(true);
      expect(usage.inputTokens).toBe(Math.ceil(HELLO[0]!.content.length / 4));
      expect(usage.outputTokens).toBeGreaterThan(0);
      expect(await usageRow(t, events[0]!.requestId)).toMatchObject({ usage_estimated: true, status: 'SUCCEEDED' });
    },
  );

  for (const how of ['unsubscribes', 'drops the socket'] as const) {
    it(`the client ${how} mid-stream: the upstream socket closes at once; usage is ABORTED with the tokens streamed so far`, async () => {
      const u = await userWithKey('OPENAI', 'good');
      mock.setSyntheticStream({ deltas: 200, intervalMs: 30 });
      const client = wsClient(t.url, u.token);
      const sub = collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input: { model: GPT, messages: HELLO } });
      await waitFor(() => sub.results.filter((r) => r.data?.chatCompletion.type === 'DELTA').length >= 5, 'five deltas');
      const stoppedAt = Date.now();
      if (how === 'unsubscribes') sub.cancel();
      else await client.dispose();
      const upstream = await mock.waitForRequest((r) => r.endpoint === 'chat' && r.clientClosedEarly, 5000);
      expect(upstream.finished).toBe(false);
      expect(Date.now() - stoppedAt).toBeLessThan(1000);
      const requestId = sub.results[0]!.data!.chatCompletion.requestId;
      const row = await usageRow(t, requestId);
      expect(row).toMatchObject({ status: 'ABORTED', usage_estimated: true, key_id: u.keyId });
      const streamed = sub.results.filter((r) => r.data?.chatCompletion.type === 'DELTA').map((r) => r.data!.chatCompletion.content ?? '').join('');
      expect(row.output_tokens).toBeGreaterThanOrEqual(Math.ceil(streamed.length / 4));
      expect(row.output_tokens).toBeLessThan(200);
      await client.dispose();
    });
  }

  it('the client unsubscribes while the upstream is silent between events: the upstream socket closes at once, not at the next event', async () => {
    const u = await userWithKey('OPENAI', 'good');
    mock.setSyntheticStream({ deltas: 3, intervalMs: 4000 });
    const client = wsClient(t.url, u.token);
    const sub = collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input: { model: GPT, messages: HELLO } });
    await waitFor(() => sub.results.some((r) => r.data?.chatCompletion.type === 'START'), 'START');
    const stoppedAt = Date.now();
    sub.cancel();
    const upstream = await mock.waitForRequest((r) => r.endpoint === 'chat' && r.clientClosedEarly, 3000);
    expect(upstream.finished).toBe(false);
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(await usageRow(t, sub.results[0]!.data!.chatCompletion.requestId)).toMatchObject({ status: 'ABORTED', key_id: u.keyId });
    await client.dispose();
  });

  it('ten concurrent streams on one socket, one failing mid-way: the other nine complete', async () => {
    const u = await userWithKey('OPENAI', 'good');
    const { input } = mockKeyInput('MISTRAL', 'midstream-error');
    await settledStatus(t, (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id);
    mock.setSyntheticStream({ deltas: 30, intervalMs: 10 });
    const client = wsClient(t.url, u.token);
    try {
      const subs = Array.from({ length: 10 }, (_, i) =>
        collect<{ chatCompletion: ChatEvent }>(client, CHAT, {
          input: i === 4 ? { model: 'mistral/mistral-small-2603', messages: HELLO, provider: 'MISTRAL' } : { model: GPT, messages: HELLO },
        }),
      );
      const done = await Promise.all(subs.map((s) => s.done));
      const outcome = done.map((d) =>
        d.results.some((r) => r.errors?.length) ? 'error' : d.results.at(-1)?.data?.chatCompletion.type === 'DONE' ? 'done' : 'incomplete',
      );
      expect(outcome).toEqual(['done', 'done', 'done', 'done', 'error', 'done', 'done', 'done', 'done', 'done']);
      for (const [i, d] of done.entries()) {
        if (i === 4) continue;
        expect(d.results.filter((r) => r.data?.chatCompletion.type === 'DELTA')).toHaveLength(30);
      }
    } finally {
      await client.dispose();
    }
  });

  it("Kimi Code's client whitelist (403 access_terminated_error) is a clear UPSTREAM_ERROR for the operator, not a bad key", async () => {
    const u = await userWithKey('KIMI_CODING', 'quirk');
    const { errors } = await chatEvents(t, u.token, { model: 'kimi-coding/kimi-for-coding', messages: HELLO });
    expect(errors.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
    expect(errors[0]!.message).toContain('PROVIDER_HEADERS_KIMI_CODING');
    expect((await t.app.db.query('SELECT status FROM byok_keys WHERE id = $1', [u.keyId]))[0].status).toBe('VALID');
    // The gateway never invents a client identity by default.
    const sent = mock.requests.find((r) => r.endpoint === 'chat' && r.provider === 'KIMI_CODING')!;
    expect(String(sent.headers['user-agent'] ?? '')).not.toMatch(/Kimi|Kilo|claude-cli|Roo/i);
  });
});

describe('chatCompletion deadlines and operator headers', () => {
  let mock: MockUpstream;
  let t: TestApp;
  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('chatdeadline', {
      ...mock.env(),
      ...FAST_VALIDATION_ENV,
      UPSTREAM_CONNECT_TIMEOUT_MS: '500',
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '2000',
      UPSTREAM_IDLE_TIMEOUT_MS: '300',
      PROVIDER_HEADERS_KIMI_CODING: JSON.stringify({ 'User-Agent': 'KimiCLI/1.0.0' }),
    });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  async function keyFor(provider: string, scenario: Scenario, settle = true) {
    const u = await t.createUser();
    const { input } = mockKeyInput(provider, scenario);
    const id = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id;
    if (settle) await settledStatus(t, id);
    return u;
  }

  it('an upstream that does not answer within the connect deadline: UPSTREAM_ERROR naming it, and the request is abandoned', async () => {
    // A PENDING key is routable; its own validation (which hangs too) is beside the point.
    const u = await keyFor('OPENAI', 'hang', false);
    const started = Date.now();
    const { errors } = await chatEvents(t, u.token, { model: GPT, messages: HELLO });
    expect(errors.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
    expect(errors[0]!.message).toMatch(/did not answer within 500 ms/);
    expect(Date.now() - started).toBeLessThan(2500);
    await mock.waitForRequest((r) => r.endpoint === 'chat' && r.clientClosedEarly, 3000);
  });

  it('an upstream that goes quiet mid-stream for longer than the idle deadline: UPSTREAM_ERROR, usage FAILED', async () => {
    mock.setSyntheticStream({ deltas: 10, intervalMs: 1000 });
    const u = await keyFor('OPENAI', 'good');
    const { events, errors } = await chatEvents(t, u.token, { model: GPT, messages: HELLO });
    expect(errors.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
    expect(errors[0]!.message).toMatch(/sent nothing for (300|2000) ms/);
    expect(events[0]!.type).toBe('START');
    mock.setSyntheticStream(null);
  });

  it('operator headers (PROVIDER_HEADERS_KIMI_CODING) get a whitelisted Kimi Code plan through', async () => {
    const u = await keyFor('KIMI_CODING', 'quirk');
    const { events, errors } = await chatEvents(t, u.token, { model: 'kimi-coding/kimi-for-coding', messages: HELLO });
    expect(errors).toEqual([]);
    expect(events.at(-1)!.type).toBe('DONE');
  });
});

describe('chatCompletion back-pressure', () => {
  let mock: MockUpstream;
  let t: TestApp;
  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('chatcap', { ...mock.env(), ...FAST_VALIDATION_ENV, MAX_CONCURRENT_STREAMS: '2' });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  it('beyond MAX_CONCURRENT_STREAMS a new stream is refused at once with RATE_LIMITED; capacity returns when streams end', async () => {
    const u = await t.createUser();
    const { input } = mockKeyInput('OPENAI', 'good');
    await settledStatus(t, (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id);
    mock.setSyntheticStream({ deltas: 20, intervalMs: 50 });
    const client = wsClient(t.url, u.token);
    try {
      const running = [0, 1].map(() => collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input: { model: GPT, messages: HELLO } }));
      await waitFor(() => running.every((s) => s.results.length > 0), 'two streams running');
      const refusedAt = Date.now();
      const third = await chatEvents(t, u.token, { model: GPT, messages: HELLO });
      expect(third.errors.map((e) => [e.extensions?.code, e.extensions?.limit])).toEqual([['RATE_LIMITED', 'streamsPerProcess']]);
      expect(Date.now() - refusedAt).toBeLessThan(500);
      const done = await Promise.all(running.map((s) => s.done));
      expect(done.map((d) => d.results.at(-1)?.data?.chatCompletion.type)).toEqual(['DONE', 'DONE']);
      mock.setSyntheticStream(null);
      const after = await chatEvents(t, u.token, { model: GPT, messages: HELLO });
      expect(after.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});
