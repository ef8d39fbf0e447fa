import { BUILTIN_MODELS } from '../../../src/catalog/builtin-models';
import { Catalog, costMicroUsd, createCatalog, planRuleProblems } from '../../../src/catalog/catalog';
import type { CatalogModel } from '../../../src/catalog/types';
import { getProvider, listProviders } from '../../../src/providers/registry';
import { PROVIDER_IDS, ProviderId, ProviderKind } from '../../../src/providers/types';

const catalog = createCatalog();

describe('built-in catalog', () => {
  it('has unique ids and at least one offer per model, each provider at most once', () => {
    const ids = BUILTIN_MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of BUILTIN_MODELS) {
      expect(m.offers.length).toBeGreaterThan(0);
      expect(new Set(m.offers.map((o) => o.provider)).size).toBe(m.offers.length);
      expect(m.name.trim()).not.toBe('');
      expect(m.id).toMatch(/^[^\s/]+\/\S+$/);
    }
  });

  it.each(listProviders().filter((p) => p.kind === ProviderKind.STANDARD).map((p) => p.id))(
    '%s serves at least three models, all priced, with context lengths',
    (id) => {
      const models = catalog.list(id);
      expect(models.length).toBeGreaterThanOrEqual(3);
      for (const m of models) {
        expect(m.contextLength).toBeGreaterThan(0);
        const offer = m.offers.find((o) => o.provider === id);
        expect(offer?.price).not.toBeNull();
        expect(offer?.upstreamModel.trim()).not.toBe('');
      }
    },
  );

  it.each(listProviders().filter((p) => p.kind === ProviderKind.SUBSCRIPTION).map((p) => p.id))(
    '%s serves only its own plan models, at price 0, and they are served only by it',
    (id) => {
      const { slug } = getProvider(id);
      const served = catalog.list(id);
      expect(served.length).toBeGreaterThan(0);
      for (const m of served) {
        expect(m.id.startsWith(`${slug}/`)).toBe(true);
        expect(m.offers).toHaveLength(1);
        expect(m.offers[0]?.price).toEqual({ inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: 0, cacheWritePerMTok: 0 });
        expect(m.id).toBe(`${slug}/${m.offers[0]?.upstreamModel}`);
      }
      const underSlug = catalog.list().filter((m) => m.id.startsWith(`${slug}/`));
      expect(underSlug).toEqual(served);
    },
  );

  it('every built-in passes the plan rules', () => {
    for (const m of BUILTIN_MODELS) expect(planRuleProblems(m)).toEqual([]);
  });

  it('bills Claude cache writes (Anthropic and Bedrock) at 1.25x input and reads at 0.1x; other models write at the input price', () => {
    let claudeOffers = 0;
    for (const m of BUILTIN_MODELS) {
      for (const o of m.offers) {
        if (!o.price) continue;
        if (o.upstreamModel.includes('claude')) {
          claudeOffers++;
          expect([ProviderId.ANTHROPIC, ProviderId.BEDROCK]).toContain(o.provider);
          expect(o.price.cacheWritePerMTok).toBeCloseTo(o.price.inputPerMTok * 1.25, 10);
          expect(o.price.cacheWrite1hPerMTok).toBeCloseTo(o.price.inputPerMTok * 2, 10);
          expect(o.price.cachedInputPerMTok).toBeCloseTo(o.price.inputPerMTok * 0.1, 10);
        } else {
          expect({ model: m.id, provider: o.provider, write: o.price.cacheWritePerMTok }).toEqual({ model: m.id, provider: o.provider, write: o.price.inputPerMTok });
        }
      }
    }
    expect(claudeOffers).toBeGreaterThanOrEqual(10);
    expect(catalog.get('anthropic/claude-sonnet-4.6')?.offers.map((o) => [o.provider, o.price?.cacheWritePerMTok])).toEqual([
      [ProviderId.ANTHROPIC, 3.75],
      [ProviderId.BEDROCK, 3.75],
    ]);
  });

  it('contains the models the design docs name', () => {
    expect(catalog.get('zai-coding/glm-4.7')?.offers).toEqual([
      { provider: ProviderId.ZAI_CODING, upstreamModel: 'glm-4.7', price: { inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: 0, cacheWritePerMTok: 0 } },
    ]);
    expect(catalog.get('kimi-coding/kimi-for-coding')?.contextLength).toBe(262_144);
    expect(catalog.get('byteplus-coding/bytedance-seed-code')).toBeDefined();
    expect(catalog.get('codestral/codestral-latest')).toBeDefined();
    expect(catalog.get('z-ai/glm-4.7')?.offers[0]).toMatchObject({ provider: ProviderId.ZAI, upstreamModel: 'glm-4.7' });
  });

  it('lists cross-provider offers first-party first', () => {
    const sonnet45 = catalog.get('anthropic/claude-sonnet-4.5');
    expect(sonnet45?.offers.map((o) => [o.provider, o.upstreamModel])).toEqual([
      [ProviderId.ANTHROPIC, 'claude-sonnet-4-5'],
      [ProviderId.BEDROCK, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ]);
    expect(catalog.get('anthropic/claude-sonnet-4.6')?.offers.map((o) => o.upstreamModel)).toEqual([
      'claude-sonnet-4-6',
      'us.anthropic.claude-sonnet-4-6',
    ]);
    expect(catalog.get('z-ai/glm-5.1')?.offers.map((o) => o.provider)).toEqual([ProviderId.ZAI, ProviderId.FIREWORKS, ProviderId.NOVITA]);
    expect(catalog.get('moonshotai/kimi-k2.6')?.offers[0]?.provider).toBe(ProviderId.MOONSHOTAI);
  });

  it('is immutable from the outside', () => {
    const m = catalog.get('openai/gpt-5.5') as CatalogModel;
    expect(() => {
      (m as { name: string }).name = 'changed';
    }).toThrow();
    expect(() => m.offers.push({ provider: ProviderId.XAI, upstreamModel: 'x', price: null })).toThrow();
  });
});

describe('Catalog.list', () => {
  it('lists everything without a provider, in order', () => {
    expect(catalog.list().map((m) => m.id)).toEqual(BUILTIN_MODELS.map((m) => m.id));
  });

  it('every ProviderId has something to serve', () => {
    for (const id of PROVIDER_IDS) expect(catalog.list(id).length).toBeGreaterThan(0);
  });

  it('lists Bedrock models served through it', () => {
    const ids = catalog.list(ProviderId.BEDROCK).map((m) => m.id);
    expect(ids).toContain('anthropic/claude-sonnet-4.5');
    expect(ids).not.toContain('anthropic/claude-sonnet-5');
  });
});

describe('Catalog.resolve', () => {
  it('a known id → its offers, not a passthrough', () => {
    const r = catalog.resolve('anthropic/claude-sonnet-4.5');
    expect(r?.passthrough).toBe(false);
    expect(r?.offers).toHaveLength(2);
  });

  it('an unknown <slug>/<upstream> → passthrough to that provider with unknown cost', () => {
    expect(catalog.resolve('openai/gpt-7-preview')).toEqual({
      id: 'openai/gpt-7-preview',
      name: 'openai/gpt-7-preview',
      passthrough: true,
      offers: [{ provider: ProviderId.OPENAI, upstreamModel: 'gpt-7-preview', price: null }],
    });
  });

  it('catalog ids win over slugs; an unknown id under a colliding prefix passes through', () => {
    expect(catalog.resolve('anthropic/claude-sonnet-4.6')?.passthrough).toBe(false);
    const raw = catalog.resolve('anthropic/claude-sonnet-4-6');
    expect(raw?.passthrough).toBe(true);
    expect(raw?.offers).toEqual([{ provider: ProviderId.ANTHROPIC, upstreamModel: 'claude-sonnet-4-6', price: null }]);
  });

  it('keeps the rest of the id, slashes included', () => {
    expect(catalog.resolve('fireworks/accounts/fireworks/models/qwen4')?.offers[0]?.upstreamModel).toBe(
      'accounts/fireworks/models/qwen4',
    );
  });

  it('a plan passthrough goes to the plan at cost 0', () => {
    const r = catalog.resolve('zai-coding/glm-5.3');
    expect(r?.passthrough).toBe(true);
    expect(r?.offers).toEqual([
      { provider: ProviderId.ZAI_CODING, upstreamModel: 'glm-5.3', price: { inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: 0, cacheWritePerMTok: 0 } },
    ]);
  });

  it.each(['z-ai/glm-9', 'nope/model', 'gpt-5.5', 'openai/', '/gpt-5.5', '', 'OPENAI/gpt-5.5'])('%j → undefined', (id) => {
    expect(catalog.resolve(id)).toBeUndefined();
  });
});

describe('operator models', () => {
  const replacement: CatalogModel = {
    id: 'openai/gpt-5.5',
    name: 'GPT-5.5 (negotiated)',
    offers: [{ provider: ProviderId.OPENAI, upstreamModel: 'gpt-5.5', price: { inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0.5, cacheWritePerMTok: 1 } }],
  };
  const added: CatalogModel = {
    id: 'z-ai/glm-5.3',
    name: 'GLM-5.3',
    offers: [{ provider: ProviderId.ZAI, upstreamModel: 'glm-5.3', price: null }],
  };
  const custom = createCatalog([replacement, added]);

  it('replace built-ins with the same id, in place', () => {
    expect(custom.get('openai/gpt-5.5')?.name).toBe('GPT-5.5 (negotiated)');
    const ids = custom.list().map((m) => m.id);
    expect(ids.indexOf('openai/gpt-5.5')).toBe(BUILTIN_MODELS.findIndex((m) => m.id === 'openai/gpt-5.5'));
    expect(ids).toHaveLength(BUILTIN_MODELS.length + 1);
  });

  it('add new ids, which then resolve as catalog models', () => {
    expect(custom.resolve('z-ai/glm-5.3')?.passthrough).toBe(false);
    expect(catalog.resolve('z-ai/glm-5.3')).toBeUndefined();
  });

  it('a bare Catalog holds only what it is given', () => {
    expect(new Catalog([added]).list()).toHaveLength(1);
  });
});

describe('costMicroUsd', () => {
  const price = { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75 };
  const none = { cachedInputTokens: 0, cacheWriteTokens: 0 };

  it('charges uncached input, cached input and output at their prices', () => {
    // (1000 − 200)·3 + 200·0.3 + 500·15 = 2400 + 60 + 7500
    expect(costMicroUsd(price, { ...none, inputTokens: 1000, cachedInputTokens: 200, outputTokens: 500 })).toBe(9960);
  });

  it('charges cache writes at the cache-write price, out of the input tokens', () => {
    // (1000 − 200 − 300)·3 + 200·0.3 + 300·3.75 + 500·15 = 1500 + 60 + 1125 + 7500
    expect(costMicroUsd(price, { inputTokens: 1000, cachedInputTokens: 200, cacheWriteTokens: 300, outputTokens: 500 })).toBe(10185);
    // All of the input written: 1000·3.75
    expect(costMicroUsd(price, { ...none, inputTokens: 1000, cacheWriteTokens: 1000, outputTokens: 0 })).toBe(3750);
  });

  it('never bills more cache reads and writes than the input holds', () => {
    // Reads capped at the input first, then writes at what is left: 60·0.3 + 40·3.75 = 18 + 150
    expect(costMicroUsd(price, { inputTokens: 100, cachedInputTokens: 60, cacheWriteTokens: 80, outputTokens: 0 })).toBe(168);
    expect(costMicroUsd(price, { inputTokens: 100, cachedInputTokens: 500, cacheWriteTokens: 50, outputTokens: 0 })).toBe(30);
    // A negative write count charges nothing for writes and takes nothing from plain input: 100·3
    expect(costMicroUsd(price, { ...none, inputTokens: 100, cacheWriteTokens: -40, outputTokens: 0 })).toBe(300);
  });

  it('rounds to an integer', () => {
    // 7·0.3 + 3·0.15 = 2.1 + 0.45 = 2.55 → 3
    expect(costMicroUsd({ inputPerMTok: 0.3, outputPerMTok: 0.15, cachedInputPerMTok: 0.03, cacheWritePerMTok: 0.3 }, { ...none, inputTokens: 7, outputTokens: 3 })).toBe(3);
    // (10−10)·1.25 + 10·0.125 + 0 = 1.25 → 1
    expect(costMicroUsd({ inputPerMTok: 1.25, outputPerMTok: 10, cachedInputPerMTok: 0.125, cacheWritePerMTok: 1.25 }, { ...none, inputTokens: 10, cachedInputTokens: 10, outputTokens: 0 })).toBe(1);
  });

  it('a million output tokens at $15/Mtok is 15,000,000 micro-USD ($15)', () => {
    expect(costMicroUsd(price, { ...none, inputTokens: 0, outputTokens: 1_000_000 })).toBe(15_000_000);
  });

  it('unknown price → null; plan price → 0', () => {
    expect(costMicroUsd(null, { ...none, inputTokens: 10, outputTokens: 10 })).toBeNull();
    const plan = catalog.get('zai-coding/glm-4.7')?.offers[0]?.price ?? null;
    expect(costMicroUsd(plan, { inputTokens: 123_456, cachedInputTokens: 1000, cacheWriteTokens: 2000, outputTokens: 9999 })).toBe(0);
  });

  it('a built-in Claude price: tokens written cost 1.25x what they would as plain input', () => {
    const sonnet = catalog.get('anthropic/claude-sonnet-4.6')?.offers[0]?.price ?? null;
    expect(costMicroUsd(sonnet, { ...none, inputTokens: 10_000, outputTokens: 0 })).toBe(30_000);
    expect(costMicroUsd(sonnet, { ...none, inputTokens: 10_000, cacheWriteTokens: 10_000, outputTokens: 0 })).toBe(37_500);
  });

  it('1-hour cache writes cost 2x input on Claude, 5-minute ones 1.25x; without a 1-hour price, the write price', () => {
    const sonnet = catalog.get('anthropic/claude-sonnet-4.6')?.offers[0]?.price ?? null;
    // 4000·3.75 + 6000·6 = 15000 + 36000
    expect(costMicroUsd(sonnet, { ...none, inputTokens: 10_000, cacheWriteTokens: 10_000, cacheWrite1hTokens: 6000, outputTokens: 0 })).toBe(51_000);
    // 1-hour writes are part of the writes: never more than them (all 10,000 at 6)
    expect(costMicroUsd(sonnet, { ...none, inputTokens: 10_000, cacheWriteTokens: 10_000, cacheWrite1hTokens: 99_999, outputTokens: 0 })).toBe(60_000);
    // A price without a 1-hour rate bills them as any write: 300·3.75
    expect(costMicroUsd(price, { ...none, inputTokens: 300, cacheWriteTokens: 300, cacheWrite1hTokens: 300, outputTokens: 0 })).toBe(1125);
  });
});
