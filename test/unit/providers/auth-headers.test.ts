import { credentialHeaders } from '../../../src/providers/auth-headers';
import { getProvider } from '../../../src/providers/registry';
import { ProviderId } from '../../../src/providers/types';

describe('credentialHeaders', () => {
  const key = { kind: 'api_key' as const, apiKey: 'sk-user-key-123456' };

  it("presents the key in each provider's own style, with its static headers", () => {
    expect(credentialHeaders(getProvider(ProviderId.OPENAI), key, undefined)['authorization']).toBe('Bearer sk-user-key-123456');
    const a = credentialHeaders(getProvider(ProviderId.ANTHROPIC), key, undefined);
    expect(a['x-api-key']).toBe('sk-user-key-123456');
    expect(a['anthropic-version']).toBe('2023-06-01');
    expect(a).not.toHaveProperty('authorization');
    expect(credentialHeaders(getProvider(ProviderId.GOOGLE), key, undefined)['x-goog-api-key']).toBe('sk-user-key-123456');
  });

  it("operator headers are added, but can never replace the caller's key", () => {
    const h = credentialHeaders(getProvider(ProviderId.OPENAI), key, { authorization: 'Bearer platform-token', 'user-agent': 'KimiCLI/1.0' });
    expect(h['authorization']).toBe('Bearer sk-user-key-123456');
    expect(h['user-agent']).toBe('KimiCLI/1.0');
    const m = credentialHeaders(getProvider(ProviderId.MINIMAX), key, { 'x-api-key': 'other' });
    expect(m['x-api-key']).toBe('sk-user-key-123456');
  });

  it('refuses AWS credentials and SigV4 providers (they sign through the AWS SDK)', () => {
    expect(() => credentialHeaders(getProvider(ProviderId.BEDROCK), key, undefined)).toThrow(TypeError);
    const aws = { kind: 'aws' as const, accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', secretAccessKey: 'x'.repeat(40), region: 'us-east-1' };
    expect(() => credentialHeaders(getProvider(ProviderId.OPENAI), aws, undefined)).toThrow(TypeError);
  });
});
