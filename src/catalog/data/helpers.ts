/**
 * Small builders for the built-in catalog data. Prices throughout `data/` are list prices as of
 * mid-2026, in USD per million tokens; they are estimates for cost reporting, and operators
 * correct or extend them with CATALOG_FILE without a release.
 */
import { getProvider } from '../../providers/registry';
import type { ProviderId } from '../../providers/types';
import type { CatalogModel, ModelOffer, ModelPrice } from '../types';

/**
 * A price; cache reads default to the full input price (no cache discount), cache writes to the
 * input price (no write surcharge).
 */
export function usd(
  inputPerMTok: number,
  outputPerMTok: number,
  cachedInputPerMTok = inputPerMTok,
  cacheWritePerMTok = inputPerMTok,
): ModelPrice {
  return { inputPerMTok, outputPerMTok, cachedInputPerMTok, cacheWritePerMTok };
}

/** Subscription plans bill a flat fee: per-request cost is 0 (contract: costMicroUsd). */
export const PLAN_PRICE: ModelPrice = Object.freeze({ inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: 0, cacheWritePerMTok: 0 });

/** One offer. */
export function offer(provider: ProviderId, upstreamModel: string, price: ModelPrice): ModelOffer {
  return { provider, upstreamModel, price };
}

/** `[upstream id, display name, context length]` of one plan model. */
export type PlanModelRow = readonly [upstreamModel: string, name: string, contextLength?: number];

/**
 * A subscription plan's own models, `<plan-slug>/<upstream id>`, each served only by the plan
 * (ARCHITECTURE.md "Routing a completion": plans serve only their plan's models).
 */
export function planModels(plan: ProviderId, rows: readonly PlanModelRow[]): CatalogModel[] {
  const { slug } = getProvider(plan);
  return rows.map(([upstreamModel, name, contextLength]) => ({
    id: `${slug}/${upstreamModel}`,
    name,
    ...(contextLength === undefined ? {} : { contextLength }),
    offers: [offer(plan, upstreamModel, PLAN_PRICE)],
  }));
}
