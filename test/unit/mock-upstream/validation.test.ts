import { ProviderId } from '../../../src/providers/types';
import { MOCK_ROUTES, type MockUpstream, mockKey, startMockUpstream } from '../../support/mock-upstream';
import { authHeaders, chat, validate, validateWith, wrongStyleHeaders } from './helpers';

/** Bad-key statuses from providers.md §0, written out here independently of MOCK_ROUTES. */
const BAD_KEY_STATUS: Record<ProviderId, number> = {
  ...(Object.fromEntries(Object.values(ProviderId).map((p) => [p, 401])) as Record<ProviderId, number>),
  [ProviderId.XAI]: 400,
  [ProviderId.GOOGLE]: 400,
  [ProviderId.BEDROCK]: 403,
};

const PROVIDERS = Object.values(ProviderId);

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('validation routes', () => {
  it.each(PROVIDERS)('%s: good key → 200, bad key and wrong style → its own bad-key answer', async (provider) => {
    const good = await validateWith(mock, provider, 'good');
    expect(good.status).toBe(200);
    await good.text();

    const bad = await validateWith(mock, provider, 'bad');
    expect(bad.status).toBe(BAD_KEY_STATUS[provider]);
    const badBody = await bad.text();

    const wrong = await validate(mock, provider, wrongStyleHeaders(provider, mockKey(provider, 'good')));
    expect(wrong.status).toBe(BAD_KEY_STATUS[provider]);
    await wrong.text();

    const none = await validate(mock, provider, {});
    expect(none.status).toBe(BAD_KEY_STATUS[provider]);
    await none.text();

    expect(MOCK_ROUTES[provider].badKeyStatus).toBe(BAD_KEY_STATUS[provider]);
    const recorded = mock.requests.filter((r) => r.provider === provider && r.endpoint === 'validation');
    expect(recorded.map((r) => r.status)).toEqual([200, BAD_KEY_STATUS[provider], BAD_KEY_STATUS[provider], BAD_KEY_STATUS[provider]]);
    expect(recorded[0]?.scenario).toBe('good');
    expect(badBody.length).toBeGreaterThan(0);
  });

  it('bad-key bodies carry each provider’s markers', async () => {
    const body = async (p: ProviderId): Promise<string> => (await validateWith(mock, p, 'bad')).text();
    expect(JSON.parse(await body(ProviderId.OPENAI))).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(JSON.parse(await body(ProviderId.ANTHROPIC))).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(JSON.parse(await body(ProviderId.MINIMAX))).toMatchObject({ error: { type: 'authentication_error' } });
    expect(await body(ProviderId.GOOGLE)).toContain('API_KEY_INVALID');
    expect(JSON.parse(await body(ProviderId.MOONSHOTAI))).toMatchObject({ error: { type: 'invalid_authentication_error' } });
    expect(JSON.parse(await body(ProviderId.MISTRAL))).toEqual({ detail: 'Unauthorized' });
    expect(JSON.parse(await body(ProviderId.CODESTRAL))).toMatchObject({ message: 'Unauthorized' });
    expect(JSON.parse(await body(ProviderId.FIREWORKS))).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(JSON.parse(await body(ProviderId.ZAI))).toMatchObject({ error: { code: '1002' } });
    expect(JSON.parse(await body(ProviderId.BYTEPLUS_CODING))).toMatchObject({ error: { code: 'AuthenticationError' } });

    const xaiKey = mockKey(ProviderId.XAI, 'bad');
    const xai = await validate(mock, ProviderId.XAI, authHeaders(ProviderId.XAI, xaiKey));
    const xaiBody = (await xai.json()) as { error: string };
    expect(xaiBody.error).toBe(
      `Incorrect API key provided: xa***${xaiKey.slice(-2)}. You can obtain an API key from https://console.x.ai.`,
    );
    expect(JSON.stringify(xaiBody)).not.toContain(xaiKey);

    const sts = await validateWith(mock, ProviderId.BEDROCK, 'bad');
    expect(sts.headers.get('content-type')).toBe('text/xml');
    expect(await sts.text()).toContain('<Code>InvalidClientTokenId</Code>');
  });

  it('a key made for another provider gets this provider’s bad-key answer', async () => {
    const kimiOnMoonshot = await validate(mock, ProviderId.MOONSHOTAI, authHeaders(ProviderId.MOONSHOTAI, mockKey(ProviderId.KIMI_CODING, 'good')));
    expect(kimiOnMoonshot.status).toBe(401);
    const mistralOnCodestral = await validate(mock, ProviderId.CODESTRAL, authHeaders(ProviderId.CODESTRAL, mockKey(ProviderId.MISTRAL, 'good')));
    expect(mistralOnCodestral.status).toBe(401);
    const openAiOnAnthropic = await validate(mock, ProviderId.ANTHROPIC, authHeaders(ProviderId.ANTHROPIC, mockKey(ProviderId.OPENAI, 'good')));
    expect(openAiOnAnthropic.status).toBe(401);
    await Promise.all([kimiOnMoonshot.text(), mistralOnCodestral.text(), openAiOnAnthropic.text()]);
  });

  it('STS needs the sts signing service and the GetCallerIdentity action', async () => {
    const key = mockKey(ProviderId.BEDROCK, 'good');
    const wrongService = await validate(mock, ProviderId.BEDROCK, authHeaders(ProviderId.BEDROCK, key, 'api'));
    expect(wrongService.status).toBe(403);
    await wrongService.text();
    const ok = await validate(mock, ProviderId.BEDROCK, authHeaders(ProviderId.BEDROCK, key, 'account'));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<Account>123456789012</Account>');
    const otherAction = await fetch(`${mock.url}/sts/`, {
      method: 'POST',
      headers: { ...authHeaders(ProviderId.BEDROCK, key, 'account'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=AssumeRole&Version=2011-06-15',
    });
    expect(otherAction.status).toBe(400);
    await otherAction.text();
  });
});

describe('provider quirks', () => {
  it('Fireworks Fire Pass key: 403 FORBIDDEN on /models, chat works', async () => {
    const key = mockKey(ProviderId.FIREWORKS, 'quirk');
    const res = await validate(mock, ProviderId.FIREWORKS, authHeaders(ProviderId.FIREWORKS, key));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'FORBIDDEN', message: 'Fire Pass API keys are not authorized for this route.' },
    });
    const c = await chat(mock, ProviderId.FIREWORKS, key);
    expect(c.status).toBe(200);
    await c.text();
  });

  it('Kimi Code: models 200, chat 403 access_terminated_error unless a whitelisted agent calls', async () => {
    const key = mockKey(ProviderId.KIMI_CODING, 'quirk');
    const models = await validate(mock, ProviderId.KIMI_CODING, authHeaders(ProviderId.KIMI_CODING, key));
    expect(models.status).toBe(200);
    await models.text();
    const denied = await chat(mock, ProviderId.KIMI_CODING, key);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { type: 'access_terminated_error' } });
    const agent = await chat(mock, ProviderId.KIMI_CODING, key, { headers: { 'user-agent': 'KimiCLI/1.3' } });
    expect(agent.status).toBe(200);
    await agent.text();
  });

  it('MiniMax: 404 "404 page not found" on models', async () => {
    const res = await validateWith(mock, ProviderId.MINIMAX, 'quirk');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 page not found');
  });

  it('Z.ai: a Coding Plan key on the general endpoint gets 429 code 1113; on its own endpoint 200', async () => {
    const key = mockKey(ProviderId.ZAI_CODING, 'good');
    const general = await validate(mock, ProviderId.ZAI, authHeaders(ProviderId.ZAI, key));
    expect(general.status).toBe(429);
    expect(general.headers.get('retry-after')).toBeNull();
    expect(await general.json()).toMatchObject({ error: { code: '1113' } });
    const coding = await validate(mock, ProviderId.ZAI_CODING, authHeaders(ProviderId.ZAI_CODING, key));
    expect(coding.status).toBe(200);
    await coding.text();
    const quirkOnCoding = await validateWith(mock, ProviderId.ZAI_CODING, 'quirk');
    expect(quirkOnCoding.status).toBe(200);
    await quirkOnCoding.text();
  });

  it('providers without a quirk treat `quirk` as good', async () => {
    for (const p of [ProviderId.OPENAI, ProviderId.ANTHROPIC, ProviderId.GOOGLE, ProviderId.BEDROCK]) {
      const res = await validateWith(mock, p, 'quirk');
      expect(res.status).toBe(200);
      await res.text();
    }
  });

  it('xAI also validates on /models', async () => {
    const res = await fetch(`${mock.url}/xai/v1/models`, { headers: authHeaders(ProviderId.XAI, mockKey(ProviderId.XAI, 'good')) });
    expect(res.status).toBe(200);
    await res.text();
  });

  it('Codestral and Mistral also answer the 1-token FIM key check', async () => {
    for (const provider of [ProviderId.CODESTRAL, ProviderId.MISTRAL]) {
      const prefix = MOCK_ROUTES[provider].apiPrefix;
      const fim = (key: string): Promise<Response> =>
        fetch(`${mock.url}${prefix}/fim/completions`, {
          method: 'POST',
          headers: { ...authHeaders(provider, key), 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'codestral-latest', prompt: 'def', max_tokens: 1 }),
        });
      const good = await fim(mockKey(provider, 'good'));
      expect(good.status).toBe(200);
      expect(await good.json()).toMatchObject({ usage: { completion_tokens: 1 } });
      const bad = await fim(mockKey(provider, 'bad'));
      expect(bad.status).toBe(401);
      await bad.text();
    }
  });

  it('Chutes and Neuralwatt /models are public and prove nothing', async () => {
    for (const path of ['/chutes/v1/models', '/neuralwatt/v1/models']) {
      const res = await fetch(mock.url + path);
      expect(res.status).toBe(200);
      await res.text();
    }
  });

  it('Anthropic requires anthropic-version (400 without it)', async () => {
    const res = await fetch(`${mock.url}/anthropic/v1/models`, { headers: { 'x-api-key': mockKey(ProviderId.ANTHROPIC, 'good') } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('Google: a key in the query string is refused with 400', async () => {
    const key = mockKey(ProviderId.GOOGLE, 'good');
    const res = await fetch(`${mock.url}/google/v1beta/models?key=${encodeURIComponent(key)}`);
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('API_KEY_INVALID');
  });

  it('unknown paths are 404 with a mock diagnostic', async () => {
    const res = await fetch(`${mock.url}/openai/v2/models`, { headers: authHeaders(ProviderId.OPENAI, mockKey(ProviderId.OPENAI, 'good')) });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('mock-upstream');
  });
});
