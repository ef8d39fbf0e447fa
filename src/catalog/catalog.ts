/**
 * Model id → the providers that can serve it, their upstream ids and prices
 * (ARCHITECTURE.md "Routing a completion" step 1). Built-ins plus operator models (CATALOG_FILE).
 */
import { getProvider, providerBySlug } from '../providers/registry';
import { ProviderKind } from '../providers/types';
import type { ProviderId, TokenCounts } from '../providers/types';
import { BUILTIN_MODELS } from './builtin-models';
import { PLAN_PRICE } from './data/helpers';
import type { CatalogModel, ModelPrice, ResolvedModel } from './types';

/** Immutable copy, so no caller can edit the catalog through a returned object. */
function frozen(model: CatalogModel): CatalogModel {
  const offers = model.offers.map((o) =>
    Object.freeze({ ...o, price: o.price === null ? null : Object.freeze({ ...o.price }) }),
  );
  return Object.freeze({ ...model, offers: Object.freeze(offers) as CatalogModel['offers'] });
}

/**
 * The subscription-plan rules (ARCHITECTURE.md "Routing" step 4): a plan serves only its own
 * `<plan-slug>/…` models, and a model under a plan's slug is served only by that plan.
 * Returns one message per violation, empty when the model is fine.
 */
export function planRuleProblems(model: CatalogModel): string[] {
  const problems: string[] = [];
  const prefix = model.id.split('/', 1)[0] ?? '';
  const planOfId = providerBySlug(prefix);
  model.offers.forEach((o, i) => {
    const provider = getProvider(o.provider);
    if (provider.kind === ProviderKind.SUBSCRIPTION && prefix !== provider.slug) {
      problems.push(`offers[${i}].provider: ${o.provider} is a subscription plan and serves only "${provider.slug}/…" models`);
    }
    if (planOfId?.kind === ProviderKind.SUBSCRIPTION && o.provider !== planOfId.id) {
      problems.push(`offers[${i}].provider: "${prefix}/…" models are served only by ${planOfId.id}`);
    }
  });
  return problems;
}

/** The catalog a deployment routes with. */
export class Catalog {
  private readonly byId = new Map<string, CatalogModel>();

  /** Later models replace earlier ones with the same id, keeping the earlier position. */
  constructor(models: readonly CatalogModel[]) {
    for (const m of models) this.byId.set(m.id, frozen(m));
  }

  /** The model with this exact id. */
  get(id: string): CatalogModel | undefined {
    return this.byId.get(id);
  }

  /** All models, or those `provider` can serve, in catalog order. */
  list(provider?: ProviderId): CatalogModel[] {
    const all = [...this.byId.values()];
    return provider === undefined ? all : all.filter((m) => m.offers.some((o) => o.provider === provider));
  }

  /**
   * A known id → its offers. An unknown `<provider-slug>/<upstream-id>` → a passthrough to that
   * provider with the rest of the id sent as-is (new models usable at once; cost unknown, so
   * price null, except 0 for subscription plans, which bill a flat fee). Catalog ids win over
   * slugs: `anthropic/claude-sonnet-4.6` is a catalog model, `anthropic/claude-x` a passthrough.
   * Anything else → undefined (MODEL_NOT_FOUND).
   */
  resolve(modelId: string): ResolvedModel | undefined {
    const known = this.byId.get(modelId);
    if (known) return { ...known, passthrough: false };
    const slash = modelId.indexOf('/');
    if (slash <= 0) return undefined;
    const provider = providerBySlug(modelId.slice(0, slash));
    const upstreamModel = modelId.slice(slash + 1);
    if (!provider || upstreamModel.trim() === '') return undefined;
    const price = provider.kind === ProviderKind.SUBSCRIPTION ? PLAN_PRICE : null;
    return { id: modelId, name: modelId, offers: [{ provider: provider.id, upstreamModel, price }], passthrough: true };
  }
}

/** Built-in models, then operator models (an existing id is replaced in place, new ids appended). */
export function createCatalog(operatorModels: readonly CatalogModel[] = []): Catalog {
  return new Catalog([...BUILTIN_MODELS, ...operatorModels]);
}

/**
 * Estimated cost in micro-USD, rounded to an integer: plain input at the input price, cache
 * reads at the cached price, cache writes at the cache-write price (1-hour writes at the 1-hour
 * price when the offer has one), output (reasoning included)
 * at the output price. `inputTokens` includes reads and writes, so plain input is what remains.
 * USD per million tokens is micro-USD per token, so no scaling. Null price (unknown cost) → null.
 */
export function costMicroUsd(
  price: ModelPrice | null,
  usage: Pick<TokenCounts, 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'cacheWriteTokens' | 'cacheWrite1hTokens'>,
): number | null {
  if (price === null) return null;
  const input = Math.max(0, usage.inputTokens);
  // Counts that do not add up (a provider's bug) never bill more input tokens than it reported:
  // reads are capped at the input, writes at what the reads leave.
  const cached = clamp(usage.cachedInputTokens, input);
  const written = clamp(usage.cacheWriteTokens, input - cached);
  // 1-hour writes (part of the writes) at their own price when the offer has one.
  const written1h = clamp(usage.cacheWrite1hTokens ?? 0, written);
  const output = Math.max(0, usage.outputTokens);
  return Math.round(
    (input - cached - written) * price.inputPerMTok +
      cached * price.cachedInputPerMTok +
      (written - written1h) * price.cacheWritePerMTok +
      written1h * (price.cacheWrite1hPerMTok ?? price.cacheWritePerMTok) +
      output * price.outputPerMTok,
  );
}

/** `n` within [0, max]. */
function clamp(n: number, max: number): number {
  return Math.min(Math.max(0, n), max);
}
