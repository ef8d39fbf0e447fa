import { PROVIDERS, getProvider, listProviders, providerBySlug } from '../../../src/providers/registry';
import { ApiDialect, CredentialFormat, PROVIDER_IDS, ProviderId, ProviderKind } from '../../../src/providers/types';

const SLUGS: Record<ProviderId, string> = {
  ANTHROPIC: 'anthropic',
  BEDROCK: 'bedrock',
  FIREWORKS: 'fireworks',
  GOOGLE: 'google',
  INCEPTION: 'inception',
  MINIMAX: 'minimax',
  MISTRAL: 'mistral',
  MOONSHOTAI: 'moonshotai',
  NOVITA: 'novita',
  OPENAI: 'openai',
  XAI: 'xai',
  ZAI: 'zai',
  BYTEPLUS_CODING: 'byteplus-coding',
  CHUTES: 'chutes',
  KIMI_CODING: 'kimi-coding',
  CODESTRAL: 'codestral',
  NEURALWATT: 'neuralwatt',
  ZAI_CODING: 'zai-coding',
};

const SUBSCRIPTIONS = [
  ProviderId.BYTEPLUS_CODING,
  ProviderId.CHUTES,
  ProviderId.KIMI_CODING,
  ProviderId.CODESTRAL,
  ProviderId.NEURALWATT,
  ProviderId.ZAI_CODING,
];

describe('provider registry', () => {
  it('declares every ProviderId under its own id, with the expected slug', () => {
    expect(Object.keys(PROVIDERS).sort()).toEqual([...PROVIDER_IDS].sort());
    for (const id of PROVIDER_IDS) {
      expect(getProvider(id).id).toBe(id);
      expect(getProvider(id).slug).toBe(SLUGS[id]);
    }
  });

  it('has unique slugs and names, and finds each provider by slug', () => {
    const providers = listProviders();
    expect(new Set(providers.map((p) => p.slug)).size).toBe(PROVIDER_IDS.length);
    expect(new Set(providers.map((p) => p.name)).size).toBe(PROVIDER_IDS.length);
    for (const p of providers) expect(providerBySlug(p.slug)).toBe(p);
    expect(providerBySlug('z-ai')).toBeUndefined();
    expect(providerBySlug('ZAI')).toBeUndefined();
  });

  it('lists providers in contract order', () => {
    expect(listProviders().map((p) => p.id)).toEqual([...PROVIDER_IDS]);
    expect(listProviders()[0]?.id).toBe(ProviderId.ANTHROPIC);
    expect(listProviders().at(-1)?.id).toBe(ProviderId.ZAI_CODING);
  });

  it('marks exactly the six plans as subscriptions', () => {
    const subs = listProviders().filter((p) => p.kind === ProviderKind.SUBSCRIPTION).map((p) => p.id);
    expect(subs.sort()).toEqual([...SUBSCRIPTIONS].sort());
    expect(getProvider(ProviderId.ZAI_CODING).name).toBe('Z.ai Coding Plan');
  });

  it('uses AWS credentials only for Bedrock, validated with STS over SigV4', () => {
    for (const p of listProviders()) {
      const isBedrock = p.id === ProviderId.BEDROCK;
      expect(p.credentialFormat === CredentialFormat.AWS_CREDENTIALS).toBe(isBedrock);
      expect(p.auth.type === 'sigv4').toBe(isBedrock);
      expect('type' in p.validation).toBe(isBedrock);
    }
    const bedrock = getProvider(ProviderId.BEDROCK);
    expect(bedrock.dialect).toBe(ApiDialect.BEDROCK_CONVERSE);
    expect(bedrock.defaultEndpoints.api).toBe('https://bedrock-runtime.{region}.amazonaws.com');
    expect(bedrock.defaultEndpoints.account).toBe('https://sts.{region}.amazonaws.com');
  });

  it('picks the agreed dialect and auth per provider', () => {
    const anthropic = getProvider(ProviderId.ANTHROPIC);
    expect(anthropic.dialect).toBe(ApiDialect.ANTHROPIC_MESSAGES);
    expect(anthropic.auth).toEqual({ type: 'header', name: 'x-api-key' });
    expect(anthropic.defaultEndpoints.api).toBe('https://api.anthropic.com/v1');

    const minimax = getProvider(ProviderId.MINIMAX);
    expect(minimax.dialect).toBe(ApiDialect.ANTHROPIC_MESSAGES);
    expect(minimax.auth).toEqual({ type: 'header', name: 'X-Api-Key' });
    expect(minimax.defaultEndpoints.api).toBe('https://api.minimax.io/anthropic/v1');

    const google = getProvider(ProviderId.GOOGLE);
    expect(google.dialect).toBe(ApiDialect.GEMINI);
    expect(google.auth).toEqual({ type: 'header', name: 'x-goog-api-key' });
    expect(google.defaultEndpoints.api).toBe('https://generativelanguage.googleapis.com/v1beta');

    const openAiLike = listProviders().filter(
      (p) => ![ProviderId.ANTHROPIC, ProviderId.MINIMAX, ProviderId.GOOGLE, ProviderId.BEDROCK].includes(p.id),
    );
    expect(openAiLike).toHaveLength(14);
    for (const p of openAiLike) {
      expect(p.dialect).toBe(ApiDialect.OPENAI_CHAT);
      expect(p.auth).toEqual({ type: 'bearer' });
      expect(p.openAi).toBeDefined();
    }
    expect(getProvider(ProviderId.KIMI_CODING).defaultEndpoints.api).toBe('https://api.kimi.com/coding/v1');
  });

  it('sends anthropic-version on every Anthropic-dialect provider', () => {
    for (const p of listProviders().filter((d) => d.dialect === ApiDialect.ANTHROPIC_MESSAGES)) {
      expect(p.staticHeaders?.['anthropic-version']).toBe('2023-06-01');
    }
  });

  it('points subscription plans at their plan endpoints, never pay-as-you-go', () => {
    const api = (id: ProviderId): string => getProvider(id).defaultEndpoints.api;
    expect(api(ProviderId.ZAI_CODING)).toBe('https://api.z.ai/api/coding/paas/v4');
    expect(api(ProviderId.ZAI_CODING)).toContain('/coding/');
    expect(api(ProviderId.ZAI_CODING)).not.toBe(api(ProviderId.ZAI));
    expect(api(ProviderId.BYTEPLUS_CODING)).toBe('https://ark.ap-southeast.bytepluses.com/api/coding/v3');
    expect(api(ProviderId.BYTEPLUS_CODING)).not.toMatch(/\/api\/v3$/);
    expect(api(ProviderId.CODESTRAL)).toBe('https://codestral.mistral.ai/v1');
    expect(api(ProviderId.CODESTRAL)).not.toBe(api(ProviderId.MISTRAL));
    expect(api(ProviderId.NEURALWATT)).toBe('https://api.neuralwatt.com/v1');
    expect(api(ProviderId.CHUTES)).toBe('https://llm.chutes.ai/v1');
    expect(getProvider(ProviderId.CHUTES).defaultEndpoints.account).toBe('https://api.chutes.ai');
    expect(api(ProviderId.KIMI_CODING)).not.toBe(api(ProviderId.MOONSHOTAI));
  });

  it('validates every plan on its own hosts', () => {
    for (const id of SUBSCRIPTIONS) {
      const p = getProvider(id);
      if ('type' in p.validation) throw new Error(`${id} should validate over HTTP`);
      expect(p.validation.base === 'account' ? p.defaultEndpoints.account : p.defaultEndpoints.api).toBeDefined();
    }
    const chutes = getProvider(ProviderId.CHUTES).validation;
    expect('type' in chutes ? undefined : [chutes.base, chutes.path]).toEqual(['account', '/users/me']);
  });

  it('uses https production base URLs without trailing slashes', () => {
    for (const p of listProviders()) {
      for (const url of [p.defaultEndpoints.api, p.defaultEndpoints.account].filter((u) => u !== undefined)) {
        expect(url).toMatch(/^https:\/\/[^/]+/);
        expect(url.endsWith('/')).toBe(false);
      }
    }
  });

  it('carries the OpenAI-dialect request quirks', () => {
    expect(getProvider(ProviderId.OPENAI).openAi?.maxTokensField).toBe('max_completion_tokens');
    expect(getProvider(ProviderId.CHUTES).openAi?.maxTokensField).toBe('max_tokens');
    expect(getProvider(ProviderId.XAI).openAi?.completionExcludesReasoning).toBe(true);
    expect(getProvider(ProviderId.OPENAI).openAi?.includeUsage).toBe(true);
  });

  it('cites providers.md in every declaration', () => {
    for (const p of listProviders()) expect(p.notes).toMatch(/providers\.md §\d/);
  });
});
