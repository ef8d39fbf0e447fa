import type { ByokKey, Model } from '../../api/operations';

/**
 * Which of the account's keys would serve a model, as the router picks it (ARCHITECTURE.md,
 * "Routing a completion"): enabled keys of the model's providers in the model's preference order,
 * an INVALID key only when nothing else is left. This is a preview; the START event of a real
 * completion says what actually served it.
 */
export function servingKey(model: Model, keys: ByokKey[]): ByokKey | null {
  const candidates = model.providers
    .map((p) => keys.find((k) => k.provider.id === p && k.enabled))
    .filter((k): k is ByokKey => k !== undefined);
  return candidates.find((k) => k.status !== 'INVALID') ?? candidates[0] ?? null;
}

/** True when the account holds a key (enabled or not) for a provider of the model: no platform fallback then. */
export function ownsKeyFor(model: Model, keys: ByokKey[]): boolean {
  return keys.some((k) => model.providers.includes(k.provider.id));
}
