import { ProviderId } from '../../../src/providers/types';
import { type MockUpstream, flaky, mockKey, startMockUpstream } from '../../support/mock-upstream';
import { authHeaders, chat, validate, validateWith } from './helpers';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

async function statusOf(res: Response): Promise<number> {
  await res.arrayBuffer();
  return res.status;
}

describe('scenarios', () => {
  it('flaky-2 gives 500, 500, then 200 (counted per key)', async () => {
    const key = mockKey(ProviderId.OPENAI, flaky(2));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await statusOf(await validate(mock, ProviderId.OPENAI, authHeaders(ProviderId.OPENAI, key))));
    expect(statuses).toEqual([500, 500, 200, 200]);
    // A second flaky key starts its own count.
    const other = mockKey(ProviderId.OPENAI, flaky(2));
    expect(await statusOf(await validate(mock, ProviderId.OPENAI, authHeaders(ProviderId.OPENAI, other)))).toBe(500);
  });

  it('flaky counts chat and validation together, also for Bedrock', async () => {
    const key = mockKey(ProviderId.BEDROCK, flaky(1));
    expect(await statusOf(await validate(mock, ProviderId.BEDROCK, authHeaders(ProviderId.BEDROCK, key, 'account')))).toBe(500);
    const res = await chat(mock, ProviderId.BEDROCK, key);
    expect(await statusOf(res)).toBe(200);
  });

  it('ratelimited: 429 with retry-after: 1 in the provider’s shape', async () => {
    const openai = await validateWith(mock, ProviderId.OPENAI, 'ratelimited');
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toBe('1');
    expect(await openai.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });

    const anthropic = await validateWith(mock, ProviderId.ANTHROPIC, 'ratelimited');
    expect(anthropic.status).toBe(429);
    expect(await anthropic.json()).toMatchObject({ error: { type: 'rate_limit_error' } });

    const google = await validateWith(mock, ProviderId.GOOGLE, 'ratelimited');
    expect(google.status).toBe(429);
    expect(await google.json()).toMatchObject({ error: { status: 'RESOURCE_EXHAUSTED' } });

    const bedrock = await chat(mock, ProviderId.BEDROCK, mockKey(ProviderId.BEDROCK, 'ratelimited'));
    expect(bedrock.status).toBe(429);
    expect(bedrock.headers.get('x-amzn-errortype')).toMatch(/^ThrottlingException/);
    await bedrock.text();

    // AWS query APIs (STS) throttle with 400 Throttling.
    const sts = await validateWith(mock, ProviderId.BEDROCK, 'ratelimited');
    expect(sts.status).toBe(400);
    expect(await sts.text()).toContain('<Code>Throttling</Code>');
  });

  it('server-error: 5xx in the provider’s shape (Anthropic 529 overloaded)', async () => {
    const anthropic = await validateWith(mock, ProviderId.ANTHROPIC, 'server-error');
    expect(anthropic.status).toBe(529);
    expect(await anthropic.json()).toMatchObject({ error: { type: 'overloaded_error' } });
    expect(await statusOf(await validateWith(mock, ProviderId.OPENAI, 'server-error'))).toBe(500);
    expect(await statusOf(await validateWith(mock, ProviderId.GOOGLE, 'server-error'))).toBe(503);
    const fireworks = await validateWith(mock, ProviderId.FIREWORKS, 'server-error');
    expect(fireworks.status).toBe(500);
    expect(await fireworks.text()).toContain('Error listing deployed models');
    const chatRes = await chat(mock, ProviderId.MISTRAL, mockKey(ProviderId.MISTRAL, 'server-error'));
    expect(await statusOf(chatRes)).toBe(500);
  });

  it('slow: the first byte waits for slowMs', async () => {
    mock.setSlowMs(150);
    const started = Date.now();
    const res = await validateWith(mock, ProviderId.XAI, 'slow');
    expect(res.status).toBe(200);
    await res.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('hang: never answers; a client abort is recorded as clientClosedEarly', async () => {
    const controller = new AbortController();
    const pending = fetch(`${mock.url}/openai/v1/models`, {
      headers: authHeaders(ProviderId.OPENAI, mockKey(ProviderId.OPENAI, 'hang')),
      signal: controller.signal,
    });
    const seen = await mock.waitForRequest((r) => r.scenario === 'hang');
    expect(seen.status).toBeNull();
    controller.abort();
    await expect(pending).rejects.toThrow();
    const closed = await mock.waitFor((rs) => rs.find((r) => r.scenario === 'hang' && r.clientClosedEarly));
    expect(closed.finished).toBe(false);
  });

  it('records what arrived', async () => {
    const key = mockKey(ProviderId.GOOGLE, 'good');
    await statusOf(await chat(mock, ProviderId.GOOGLE, key));
    const r = await mock.waitForRequest((x) => x.endpoint === 'chat' && x.finished);
    expect(r).toMatchObject({
      provider: ProviderId.GOOGLE,
      method: 'POST',
      path: '/google/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      query: { alt: 'sse' },
      scenario: 'good',
      status: 200,
      clientClosedEarly: false,
    });
    expect(r.headers['x-goog-api-key']).toBe(key);
    expect(r.body).toMatchObject({ contents: [{ role: 'user' }] });
    expect(typeof r.receivedAt).toBe('number');
  });

  it('waitFor times out with a summary', async () => {
    await expect(mock.waitFor(() => false, 30)).rejects.toThrow(/timed out after 30 ms/);
  });
});
