import { ProviderId } from '../../../src/providers/types';
import { MOCK_ROUTES, type MockUpstream, chatPath, matchRoute, startMockUpstream, validationPath } from '../../support/mock-upstream';

/** Real paths from providers.md, mirrored under each provider's prefix. */
const EXPECTED: Record<ProviderId, { base: string; validation: string; chat: string }> = {
  [ProviderId.ANTHROPIC]: { base: '/anthropic/v1', validation: '/anthropic/v1/models', chat: '/anthropic/v1/messages' },
  [ProviderId.BEDROCK]: { base: '/bedrock', validation: '/sts/', chat: '/bedrock/model/m%3A0/converse-stream' },
  [ProviderId.FIREWORKS]: { base: '/fireworks/inference/v1', validation: '/fireworks/inference/v1/models', chat: '/fireworks/inference/v1/chat/completions' },
  [ProviderId.GOOGLE]: { base: '/google/v1beta', validation: '/google/v1beta/models', chat: '/google/v1beta/models/m%3A0:streamGenerateContent?alt=sse' },
  [ProviderId.INCEPTION]: { base: '/inception/v1', validation: '/inception/v1/models', chat: '/inception/v1/chat/completions' },
  [ProviderId.MINIMAX]: { base: '/minimax/anthropic/v1', validation: '/minimax/anthropic/v1/models', chat: '/minimax/anthropic/v1/messages' },
  [ProviderId.MISTRAL]: { base: '/mistral/v1', validation: '/mistral/v1/models', chat: '/mistral/v1/chat/completions' },
  [ProviderId.MOONSHOTAI]: { base: '/moonshotai/v1', validation: '/moonshotai/v1/models', chat: '/moonshotai/v1/chat/completions' },
  [ProviderId.NOVITA]: { base: '/novita/openai/v1', validation: '/novita/openai/v1/models', chat: '/novita/openai/v1/chat/completions' },
  [ProviderId.OPENAI]: { base: '/openai/v1', validation: '/openai/v1/models', chat: '/openai/v1/chat/completions' },
  [ProviderId.XAI]: { base: '/xai/v1', validation: '/xai/v1/api-key', chat: '/xai/v1/chat/completions' },
  [ProviderId.ZAI]: { base: '/zai/api/paas/v4', validation: '/zai/api/paas/v4/models', chat: '/zai/api/paas/v4/chat/completions' },
  [ProviderId.BYTEPLUS_CODING]: { base: '/byteplus/api/coding/v3', validation: '/byteplus/api/coding/v3/models', chat: '/byteplus/api/coding/v3/chat/completions' },
  [ProviderId.CHUTES]: { base: '/chutes/v1', validation: '/chutes-api/users/me', chat: '/chutes/v1/chat/completions' },
  [ProviderId.KIMI_CODING]: { base: '/kimi/coding/v1', validation: '/kimi/coding/v1/models', chat: '/kimi/coding/v1/chat/completions' },
  [ProviderId.CODESTRAL]: { base: '/codestral/v1', validation: '/codestral/v1/models', chat: '/codestral/v1/chat/completions' },
  [ProviderId.NEURALWATT]: { base: '/neuralwatt/v1', validation: '/neuralwatt/v1/quota', chat: '/neuralwatt/v1/chat/completions' },
  [ProviderId.ZAI_CODING]: { base: '/zai/api/coding/paas/v4', validation: '/zai/api/coding/paas/v4/models', chat: '/zai/api/coding/paas/v4/chat/completions' },
};

describe('MOCK_ROUTES', () => {
  it.each(Object.values(ProviderId))('%s mirrors the real paths', (provider) => {
    expect(MOCK_ROUTES[provider].apiPrefix).toBe(EXPECTED[provider].base);
    expect(validationPath(provider)).toBe(EXPECTED[provider].validation);
    expect(chatPath(provider, 'm:0')).toBe(EXPECTED[provider].chat);
    expect(matchRoute(EXPECTED[provider].validation.replace(/\/$/, ''))?.route.provider).toBe(provider);
  });

  it('prefixes match on whole path segments only', () => {
    expect(matchRoute('/chutes-api/users/me')?.route.provider).toBe(ProviderId.CHUTES);
    expect(matchRoute('/openai/v1x/models')).toBeUndefined();
    expect(matchRoute('/zai/api/coding/paas/v4/models')?.route.provider).toBe(ProviderId.ZAI_CODING);
    expect(matchRoute('/zai/api/paas/v4/models')?.route.provider).toBe(ProviderId.ZAI);
  });
});

describe('env()', () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(() => mock.close());

  it('points every provider into the mock, plus account bases for Chutes and Bedrock', () => {
    const env = mock.env();
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const provider of Object.values(ProviderId)) {
      expect(env[`PROVIDER_BASE_URL_${provider}`]).toBe(mock.url + EXPECTED[provider].base);
    }
    expect(env.PROVIDER_ACCOUNT_URL_CHUTES).toBe(`${mock.url}/chutes-api`);
    expect(env.PROVIDER_ACCOUNT_URL_BEDROCK).toBe(`${mock.url}/sts`);
    expect(Object.keys(env).filter((k) => k.startsWith('PROVIDER_ACCOUNT_URL_')).sort()).toEqual([
      'PROVIDER_ACCOUNT_URL_BEDROCK',
      'PROVIDER_ACCOUNT_URL_CHUTES',
    ]);
    expect(mock.endpoints(ProviderId.CHUTES)).toEqual({ api: `${mock.url}/chutes/v1`, account: `${mock.url}/chutes-api` });
  });
});
