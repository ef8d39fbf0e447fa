import { parseUpstreamErrorBody, redactLikelySecrets, safeToken } from '../../../src/providers/errors';

describe('parseUpstreamErrorBody', () => {
  it('reads the OpenAI shape', () => {
    expect(parseUpstreamErrorBody('{"error":{"message":"m","type":"t","param":null,"code":"invalid_api_key"}}')).toEqual({
      message: 'm',
      type: 't',
      code: 'invalid_api_key',
    });
  });

  it('reads the Gemini shape with its reason', () => {
    const body = '{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}';
    expect(parseUpstreamErrorBody(body)).toEqual({ message: 'API key not valid.', code: '400', status: 'INVALID_ARGUMENT', reason: 'API_KEY_INVALID' });
  });

  it('reads the Anthropic shape without mistaking the envelope type', () => {
    expect(parseUpstreamErrorBody('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toEqual({
      message: 'Overloaded',
      type: 'overloaded_error',
    });
  });

  it('reads the xAI, Fireworks fault, AWS and MiniMax base_resp shapes', () => {
    expect(parseUpstreamErrorBody('{"code":"Client specified an invalid argument","error":"Incorrect API key"}').message).toBe('Incorrect API key');
    expect(parseUpstreamErrorBody('{"fault":{"faultstring":"Invalid ApiKey","detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}')).toEqual({
      message: 'Invalid ApiKey',
      code: 'oauth.v2.InvalidApiKey',
    });
    expect(parseUpstreamErrorBody('{"__type":"ThrottlingException","message":"slow down"}')).toEqual({ message: 'slow down', type: 'ThrottlingException' });
    expect(parseUpstreamErrorBody('{"base_resp":{"status_code":1004,"status_msg":"login fail"}}')).toEqual({ message: 'login fail', code: '1004' });
  });

  it('keeps plain text and tolerates empty bodies', () => {
    expect(parseUpstreamErrorBody('404 page not found')).toEqual({ message: '404 page not found' });
    expect(parseUpstreamErrorBody('')).toEqual({});
    expect(parseUpstreamErrorBody('[1,2]')).toEqual({ message: '[1,2]' });
  });
});

describe('redactLikelySecrets', () => {
  it.each([
    'sk-proj-Ab12Cd34Ef56Gh78Ij90',
    'xai-ABCdef0123456789ABCdef0123456789',
    'fw_3ZmJ8kLq9Xr2Tn5Vb7Yc',
    'cpk_0123456789abcdef0123456789abcdef.0123456789abcdef',
    'AKIAIOSFODNN7EXAMPLE',
    'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
    '6f1c2b7e-3a4d-4e5f-8a9b-0c1d2e3f4a5b',
    'xx***yy',
    'sk-…f3a9',
    'sk-...f3a9',
  ])('redacts %s', (secret) => {
    const out = redactLikelySecrets(`key ${secret} rejected`);
    expect(out).toBe('key [redacted] rejected');
  });

  it.each([
    'claude-sonnet-4-5-20250929',
    'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'accounts/fireworks/models/kimi-k2p6',
    'ark-code-latest',
    'Qwen/Qwen3.5-397B-A17B-TEE',
    'gemini-3.1-pro-preview',
  ])('keeps model id %s', (id) => {
    expect(redactLikelySecrets(`model ${id} not found`)).toBe(`model ${id} not found`);
  });
});

describe('safeToken', () => {
  it('accepts identifiers and short numbers only', () => {
    expect(safeToken('invalid_api_key')).toBe('invalid_api_key');
    expect(safeToken('1113')).toBe('1113');
    expect(safeToken('sk_live_abc123')).toBeUndefined();
    expect(safeToken('Incorrect API key')).toBeUndefined();
    expect(safeToken(undefined)).toBeUndefined();
  });
});
