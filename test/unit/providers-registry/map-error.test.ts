import { defaultMapError, mapUpstreamError } from '../../../src/providers/errors';
import { getProvider, listProviders } from '../../../src/providers/registry';
import { ProviderId } from '../../../src/providers/types';

const KEY = 'sk-proj-LEAK9a8b7c6d5e4f3a2b1c0d';
const map = (id: ProviderId, status: number, body: string) => mapUpstreamError(getProvider(id), status, body);

describe('defaultMapError', () => {
  it('401/403 → BYOK_KEY_INVALID, not retryable', () => {
    for (const status of [401, 403]) {
      const info = defaultMapError(status, JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}`, code: 'invalid_api_key' } }), 'OpenAI');
      expect(info).toEqual({ code: 'BYOK_KEY_INVALID', message: `OpenAI rejected the key (HTTP ${status}: invalid_api_key)`, retryable: false });
    }
  });

  it('429 → UPSTREAM_RATE_LIMITED, retryable', () => {
    expect(defaultMapError(429, '{}')).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retryable: true });
  });

  it('402 → UPSTREAM_INSUFFICIENT_FUNDS, not retryable', () => {
    expect(defaultMapError(402, '{}')).toMatchObject({ code: 'UPSTREAM_INSUFFICIENT_FUNDS', retryable: false });
  });

  it('5xx and 529 → UPSTREAM_ERROR, retryable', () => {
    for (const status of [500, 502, 503, 529]) {
      expect(defaultMapError(status, '')).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: true });
    }
  });

  it.each([
    ['OpenAI', JSON.stringify({ error: { message: "Unsupported parameter: 'max_tokens'", type: 'invalid_request_error', code: 'unsupported_parameter' } }), "Unsupported parameter: 'max_tokens'"],
    ['Anthropic', JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: at least one message is required' } }), 'messages: at least one message is required'],
    ['Gemini', JSON.stringify({ error: { code: 400, message: 'Invalid value at contents[0]', status: 'INVALID_ARGUMENT' } }), 'Invalid value at contents[0]'],
    ['Mistral detail', JSON.stringify({ detail: 'Invalid model: foo' }), 'Invalid model: foo'],
    ['Mistral detail list', JSON.stringify({ detail: [{ loc: ['body', 'model'], msg: 'field required' }] }), 'field required'],
    ['Mistral message', JSON.stringify({ message: 'Bad request', request_id: 'x' }), 'Bad request'],
    ['Fireworks fault', JSON.stringify({ fault: { faultstring: 'Model not found', detail: { errorcode: 'x' } } }), 'Model not found'],
    ['Bedrock', JSON.stringify({ message: 'Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn’t supported.' }), 'Invocation of model ID anthropic.claude-sonnet-4-6'],
    ['plain text', 'model not found', 'model not found'],
  ])('other 4xx → UPSTREAM_ERROR with the %s message', (_shape, body, expected) => {
    const info = defaultMapError(400, body, 'P');
    expect(info.code).toBe('UPSTREAM_ERROR');
    expect(info.retryable).toBe(false);
    expect(info.message).toContain(expected);
    expect(info.message.startsWith('P refused the request (HTTP 400): ')).toBe(true);
  });

  it('truncates long messages and redacts key-like words', () => {
    const long = defaultMapError(422, JSON.stringify({ error: { message: 'x '.repeat(500) } }));
    expect(long.message.length).toBeLessThanOrEqual(260);
    const leaky = defaultMapError(404, JSON.stringify({ error: { message: `The key ${KEY} cannot use model gpt-5.5; also sk-…f3a9 and xx***yy` } }));
    expect(leaky.message).not.toContain(KEY);
    expect(leaky.message).not.toContain('f3a9');
    expect(leaky.message).not.toContain('***');
    expect(leaky.message).toContain('gpt-5.5');
  });
});

describe('mapUpstreamError (provider quirks first)', () => {
  it('uses the default for providers without a quirk', () => {
    expect(map(ProviderId.OPENAI, 401, '{}')).toMatchObject({ code: 'BYOK_KEY_INVALID' });
    expect(map(ProviderId.OPENAI, 401, '{}').message).toContain('OpenAI');
  });

  it('Kimi Code 403 access_terminated_error → UPSTREAM_ERROR pointing at PROVIDER_HEADERS_KIMI_CODING', () => {
    const body = JSON.stringify({ error: { message: 'Kimi For Coding is currently only available for Coding Agents', type: 'access_terminated_error' } });
    const info = map(ProviderId.KIMI_CODING, 403, body);
    expect(info.code).toBe('UPSTREAM_ERROR');
    expect(info.retryable).toBe(false);
    expect(info.message).toContain('PROVIDER_HEADERS_KIMI_CODING');
    expect(info.message).toContain('§2.15');
    expect(map(ProviderId.KIMI_CODING, 401, '{}').code).toBe('BYOK_KEY_INVALID');
  });

  it('xAI 400 "Incorrect API key" → BYOK_KEY_INVALID; other 400s are request errors', () => {
    const bad = JSON.stringify({ code: 'Client specified an invalid argument', error: 'Incorrect API key provided: xa***yy.' });
    expect(map(ProviderId.XAI, 400, bad)).toMatchObject({ code: 'BYOK_KEY_INVALID', retryable: false });
    expect(map(ProviderId.XAI, 400, bad).message).not.toContain('***');
    expect(map(ProviderId.XAI, 400, JSON.stringify({ error: 'max_tokens too large' })).code).toBe('UPSTREAM_ERROR');
  });

  it('Google 400 API_KEY_INVALID → BYOK_KEY_INVALID', () => {
    const bad = JSON.stringify({ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } });
    expect(map(ProviderId.GOOGLE, 400, bad)).toMatchObject({ code: 'BYOK_KEY_INVALID', retryable: false });
    expect(map(ProviderId.GOOGLE, 400, JSON.stringify({ error: { code: 400, message: 'bad contents', status: 'INVALID_ARGUMENT' } })).code).toBe('UPSTREAM_ERROR');
  });

  it('Z.ai 429 code 1113 → UPSTREAM_INSUFFICIENT_FUNDS, not retryable (both APIs)', () => {
    const body = JSON.stringify({ error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } });
    for (const id of [ProviderId.ZAI, ProviderId.ZAI_CODING]) {
      expect(map(id, 429, body)).toMatchObject({ code: 'UPSTREAM_INSUFFICIENT_FUNDS', retryable: false });
    }
    expect(map(ProviderId.ZAI_CODING, 429, JSON.stringify({ error: { code: '1302', message: 'rate' } }))).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      retryable: true,
    });
  });

  it('Z.ai Coding Plan business codes', () => {
    const body = (code: string) => JSON.stringify({ error: { code, message: 'x' } });
    expect(map(ProviderId.ZAI_CODING, 429, body('1308'))).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retryable: true });
    expect(map(ProviderId.ZAI_CODING, 400, body('1309'))).toMatchObject({ code: 'UPSTREAM_INSUFFICIENT_FUNDS', retryable: false });
    expect(map(ProviderId.ZAI_CODING, 400, body('1311'))).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
  });

  it('Fireworks Fire Pass 403 does not invalidate the key', () => {
    const body = JSON.stringify({ error: { code: 'FORBIDDEN', message: 'Fire Pass API keys are not authorized for this route.' } });
    expect(map(ProviderId.FIREWORKS, 403, body)).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
    expect(map(ProviderId.FIREWORKS, 401, '{}').code).toBe('BYOK_KEY_INVALID');
  });

  it('Bedrock AccessDeniedException is a model-access problem, bad credentials are a bad key', () => {
    const denied = JSON.stringify({ __type: 'AccessDeniedException', message: "You don't have access to the model with the specified model ID." });
    expect(map(ProviderId.BEDROCK, 403, denied)).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
    const bad = JSON.stringify({ message: 'The security token included in the request is invalid.' });
    expect(map(ProviderId.BEDROCK, 403, bad).code).toBe('BYOK_KEY_INVALID');
  });

  it('no provider quirk leaks a key echoed in the body', () => {
    const body = JSON.stringify({ error: { message: `bad ${KEY}`, type: 'access_terminated_error', code: '1113' } });
    for (const p of listProviders()) {
      for (const status of [400, 401, 403, 404, 429, 500]) {
        expect(mapUpstreamError(p, status, body).message).not.toContain(KEY);
      }
    }
  });
});
