import { credentialHeaders } from '../../../src/providers/auth-headers';
import { getProvider } from '../../../src/providers/registry';
import { ProviderId } from '../../../src/providers/types';

describe('credentialHeaders', () => {
  const key = { kind: 'api_key' as const, apiKey: 'sk-user-key-123456' };

  it("presents the key in each provider's own style, with its static headers", () => {
    expect(credentialHeaders(getProvider(ProviderId.OPENAI), key, undefined).get('authorization')).toBe('Bearer sk-user-key-123456');
    const a = credentialHeaders(getProvider(ProviderId.ANTHROPIC), key, undefined);
    expect(a.get('x-api-key')).toBe('sk-user-key-123456');
    expect(a.get('anthropic-version')).toBe('2023-06-01');
    expect(a.get('authorization')).toBeNull();
    expect(credentialHeaders(getProvider(ProviderId.GOOGLE), key, undefined).get('x-goog-api-key')).toBe('sk-user-key-123456');
  });

  it("operator headers are added, but can never replace the caller's key", () => {
    const h = credentialHeaders(getProvider(ProviderId.OPENAI), key, { authorization: 'Bearer platform-token', 'user-agent': 'KimiCLI/1.0' });
    expect(h.get('authorization')).toBe('Bearer sk-user-key-123456');
    expect(h.get('user-agent')).toBe('KimiCLI/1.0');
    const m = credentialHeaders(getProvider(ProviderId.MINIMAX), key, { 'x-api-key': 'other' });
    expect(m.get('x-api-key')).toBe('sk-user-key-123456');
  });

  it('refuses AWS credentials and SigV4 providers (they sign through the AWS SDK)', () => {
    expect(() => credentialHeaders(getProvider(ProviderId.BEDROCK), key, undefined)).toThrow(TypeError);
    const aws = { kind: 'aws' as const, accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', secretAccessKey: 'x'.repeat(40), region: 'us-east-1' };
    expect(() => credentialHeaders(getProvider(ProviderId.OPENAI), aws, undefined)).toThrow(TypeError);
  });
});
