import { getProvider, listProviders } from '../../../src/providers/registry';
import { ProviderId } from '../../../src/providers/types';
import type { HttpValidationSpec, ValidationVerdict } from '../../../src/providers/types';

/** A key-shaped secret planted in every body: no verdict may repeat it, nor its pieces. */
const KEY = 'sk-test-LEAK7f3a9c0d1e2b4a6f8e0d2c4b';
const KEY_TAIL = 'c4b';

function classify(id: ProviderId, status: number, body: string): ValidationVerdict {
  const spec = getProvider(id).validation;
  if ('type' in spec) throw new Error(`${id} has no HTTP classifier`);
  return (spec as HttpValidationSpec).classify(status, body);
}

function text(v: ValidationVerdict): string {
  return v.outcome === 'VALID' ? (v.note ?? '') : v.error;
}

/** Each provider's recorded (or, where providers.md marks it [U], likely) bad-key answer. */
const BAD_KEY: Record<Exclude<ProviderId, ProviderId.BEDROCK>, [number, string]> = {
  // §1.2 / §2.1
  ANTHROPIC: [401, JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${KEY}` } })],
  // §2.3: bad keys get 401 UNAUTHORIZED
  FIREWORKS: [401, JSON.stringify({ error: { code: 'UNAUTHORIZED', message: `Invalid API key ${KEY}` } })],
  // §2.4
  GOOGLE: [
    400,
    JSON.stringify({
      error: {
        code: 400,
        message: `API key not valid. Please pass a valid API key. ${KEY}`,
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      },
    }),
  ],
  // §2.5 [U]
  INCEPTION: [401, JSON.stringify({ error: { message: `Invalid API key: ${KEY}`, type: 'invalid_request_error' } })],
  // §2.6 Anthropic path
  MINIMAX: [401, JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid api key ${KEY}` }, request_id: 'r1' })],
  // §2.7
  MISTRAL: [401, JSON.stringify({ detail: 'Unauthorized' })],
  // §2.8
  MOONSHOTAI: [401, JSON.stringify({ error: { message: `Invalid Authentication ${KEY}`, type: 'invalid_authentication_error' } })],
  // §2.9 [U]
  NOVITA: [401, JSON.stringify({ error: { message: `invalid api key ${KEY}`, type: 'authentication_error' } })],
  // §1.1 / §2.10
  OPENAI: [
    401,
    JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
  ],
  // §2.11: 400, masked key echoed
  XAI: [400, JSON.stringify({ code: 'Client specified an invalid argument', error: `Incorrect API key provided: ${KEY.slice(0, 2)}***${KEY_TAIL}. You can obtain an API key from https://console.x.ai.` })],
  // §2.12: 401 + business code 1000-1004
  ZAI: [401, JSON.stringify({ error: { code: '1002', message: `Authorization Token非法，请确认Authorization Token正确传递。${KEY}` } })],
  // §2.13
  BYTEPLUS_CODING: [
    401,
    JSON.stringify({ error: { code: 'AuthenticationError', message: `The API key or AK/SK in the request is missing or invalid. ${KEY}`, type: 'Unauthorized' } }),
  ],
  // §2.14 [G]
  CHUTES: [401, JSON.stringify({ detail: `Invalid token ${KEY}` })],
  // §2.15 [U]
  KIMI_CODING: [401, JSON.stringify({ error: { message: `Invalid Authentication ${KEY}`, type: 'invalid_authentication_error' } })],
  // §2.16
  CODESTRAL: [401, JSON.stringify({ message: 'Unauthorized', request_id: 'abc' })],
  // §2.17 [U]
  NEURALWATT: [401, JSON.stringify({ error: { message: `Invalid API key ${KEY}`, type: 'invalid_request_error' } })],
  // §2.18 (same platform as §2.12)
  ZAI_CODING: [401, JSON.stringify({ error: { code: '1001', message: `Header中未收到Authorization参数 ${KEY}` } })],
};

const HTTP_PROVIDERS = listProviders().filter((p) => !('type' in p.validation)).map((p) => p.id) as (keyof typeof BAD_KEY)[];

describe('key validation classification', () => {
  it('covers every HTTP-validated provider', () => {
    expect(HTTP_PROVIDERS.sort()).toEqual(Object.keys(BAD_KEY).sort());
  });

  it.each(HTTP_PROVIDERS)('%s: 2xx → VALID', (id) => {
    expect(classify(id, 200, '{"data":[]}').outcome).toBe('VALID');
  });

  it.each(HTTP_PROVIDERS)('%s: its own bad-key answer → INVALID, without the key', (id) => {
    const [status, body] = BAD_KEY[id];
    const verdict = classify(id, status, body);
    expect(verdict.outcome).toBe('INVALID');
    expect(text(verdict)).toContain(String(status));
    expect(text(verdict)).not.toContain(KEY);
    expect(text(verdict)).not.toContain(KEY_TAIL);
    expect(text(verdict)).not.toContain('***');
    expect(text(verdict).length).toBeLessThan(140);
  });

  it.each(HTTP_PROVIDERS)('%s: 500 and 429 → RETRY', (id) => {
    const body = JSON.stringify({ error: { message: `server trouble ${KEY}`, type: 'api_error' } });
    for (const status of [500, 502, 503, 529, 429]) {
      const verdict = classify(id, status, body);
      expect(verdict.outcome).toBe('RETRY');
      expect(text(verdict)).not.toContain(KEY);
    }
  });

  it.each(HTTP_PROVIDERS)('%s: a 401 that echoes the key in its code field does not leak it', (id) => {
    const verdict = classify(id, 401, JSON.stringify({ error: { code: KEY, type: KEY, message: KEY } }));
    expect(verdict.outcome).toBe('INVALID');
    expect(text(verdict)).not.toContain(KEY);
  });

  it('names the provider and a safe error token', () => {
    const [status, body] = BAD_KEY.OPENAI;
    expect(classify(ProviderId.OPENAI, status, body)).toEqual({ outcome: 'INVALID', error: '401 from OpenAI: invalid_api_key' });
    expect(classify(ProviderId.ANTHROPIC, ...BAD_KEY.ANTHROPIC)).toEqual({
      outcome: 'INVALID',
      error: '401 from Anthropic: authentication_error',
    });
  });

  it('treats 403 as a bad key by default', () => {
    const body = JSON.stringify({ type: 'error', error: { type: 'permission_error', message: 'nope' } });
    expect(classify(ProviderId.ANTHROPIC, 403, body).outcome).toBe('INVALID');
    expect(classify(ProviderId.OPENAI, 403, '').outcome).toBe('INVALID');
  });

  it('Google: a 400 that is not API_KEY_INVALID is not a bad key', () => {
    const body = JSON.stringify({ error: { code: 400, message: 'User location is not supported', status: 'FAILED_PRECONDITION' } });
    expect(classify(ProviderId.GOOGLE, 400, body).outcome).toBe('RETRY');
    const notFound = JSON.stringify({ error: { code: 400, message: 'API Key not found. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } });
    expect(classify(ProviderId.GOOGLE, 400, notFound).outcome).toBe('INVALID');
  });

  it('only xAI counts a plain 400 as a bad key', () => {
    expect(classify(ProviderId.XAI, 400, '{}').outcome).toBe('INVALID');
    expect(classify(ProviderId.OPENAI, 400, '{}').outcome).toBe('RETRY');
  });

  it('xAI: a blocked or disabled key answers 200 but is INVALID', () => {
    expect(classify(ProviderId.XAI, 200, JSON.stringify({ redacted_api_key: 'xa***yy', api_key_blocked: true })).outcome).toBe('INVALID');
    expect(classify(ProviderId.XAI, 200, JSON.stringify({ api_key_disabled: true })).outcome).toBe('INVALID');
    expect(classify(ProviderId.XAI, 200, JSON.stringify({ api_key_blocked: false, api_key_disabled: false })).outcome).toBe('VALID');
  });

  describe('quirks that still prove the key', () => {
    it('Fireworks Fire Pass 403 FORBIDDEN → VALID with a note', () => {
      const body = JSON.stringify({ error: { code: 'FORBIDDEN', message: 'Fire Pass API keys are not authorized for this route.' } });
      const verdict = classify(ProviderId.FIREWORKS, 403, body);
      expect(verdict.outcome).toBe('VALID');
      expect(text(verdict)).toMatch(/Fire Pass/);
      // Any other Fireworks 403 stays a bad key.
      expect(classify(ProviderId.FIREWORKS, 403, JSON.stringify({ error: { code: 'FORBIDDEN', message: 'denied' } })).outcome).toBe('INVALID');
    });

    it('Kimi Code 403 access_terminated_error → VALID with a note', () => {
      const body = JSON.stringify({
        error: {
          message: 'Kimi For Coding is currently only available for Coding Agents such as Kimi CLI, Claude Code, Roo Code, Kilo Code, etc.',
          type: 'access_terminated_error',
        },
      });
      const verdict = classify(ProviderId.KIMI_CODING, 403, body);
      expect(verdict.outcome).toBe('VALID');
      expect(text(verdict)).toContain('PROVIDER_HEADERS_KIMI_CODING');
      expect(classify(ProviderId.MOONSHOTAI, 403, body).outcome).toBe('INVALID');
    });

    it('MiniMax 404 on models → VALID with a note', () => {
      const verdict = classify(ProviderId.MINIMAX, 404, '404 page not found');
      expect(verdict.outcome).toBe('VALID');
      expect(text(verdict)).toMatch(/404/);
      expect(classify(ProviderId.OPENAI, 404, '404 page not found').outcome).toBe('RETRY');
    });
  });

  describe('Z.ai code 1113', () => {
    const body1113 = JSON.stringify({ error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } });

    it('Coding Plan: 429 + 1113 → INVALID, saying there is no coding plan/balance', () => {
      const verdict = classify(ProviderId.ZAI_CODING, 429, body1113);
      expect(verdict).toEqual({ outcome: 'INVALID', error: expect.stringMatching(/no active coding plan or balance.*1113/) });
    });

    it('Coding Plan: a plain 429 is still a retry', () => {
      const body = JSON.stringify({ error: { code: '1302', message: 'rate limit' } });
      expect(classify(ProviderId.ZAI_CODING, 429, body).outcome).toBe('RETRY');
    });

    it('general API: 429 + 1113 → VALID (authenticated, no PAYG balance)', () => {
      const verdict = classify(ProviderId.ZAI, 429, body1113);
      expect(verdict.outcome).toBe('VALID');
      expect(text(verdict)).toMatch(/Coding Plan/);
    });
  });

  it('402 proves the key (authenticated, no balance)', () => {
    expect(classify(ProviderId.CHUTES, 402, JSON.stringify({ detail: 'Insufficient balance' })).outcome).toBe('VALID');
  });

  it('unexpected statuses are retried, not judged', () => {
    expect(classify(ProviderId.OPENAI, 302, '').outcome).toBe('RETRY');
    expect(classify(ProviderId.NEURALWATT, 404, '').outcome).toBe('RETRY');
  });
});
