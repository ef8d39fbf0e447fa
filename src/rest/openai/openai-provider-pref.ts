import { badInput } from '../../errors/app-error';
import { providerBySlug } from '../../providers/registry';
import type { ProviderId } from '../../providers/types';
import { array, optArray, optBoolean, optObject, string } from '../wire-checks';

/** OpenRouter's provider slugs that differ from ours. */
const OPENROUTER_ALIASES: Record<string, string> = {
  'amazon-bedrock': 'bedrock',
  'google-vertex': 'google',
  'google-ai-studio': 'google',
  'z-ai': 'zai',
  'x-ai': 'xai',
  moonshot: 'moonshotai',
};

/**
 * OpenRouter's `provider {only, order, allow_fallbacks}` → the one provider to serve with, among
 * the owner's keys. `only` naming one provider we know restricts to it; `order` is only a
 * preference, so it restricts only when fallbacks are off (`allow_fallbacks: false`): otherwise
 * routing keeps the model's own order, which cannot fall back to another owner's key anyway.
 * Several providers in `only` cannot be narrowed to one: the model's order among them applies.
 */
export function providerPreference(raw: unknown): ProviderId | undefined {
  const p = optObject(raw, 'provider');
  if (!p) return undefined;
  const only = optArray(p.only, 'provider.only');
  if (only && only.length > 0) {
    const known = knownProviders(only, 'provider.only');
    if (known.length === 0) throw badInput('provider.only names no provider this gateway serves', 'provider.only');
    if (known.length === 1) return known[0];
  }
  const order = optArray(p.order, 'provider.order');
  if (order && optBoolean(p.allow_fallbacks, 'provider.allow_fallbacks') === false) return knownProviders(order, 'provider.order')[0];
  return undefined;
}

function knownProviders(slugs: unknown[], param: string): ProviderId[] {
  const ids = array(slugs, param).map((s, i) => {
    const slug = string(s, `${param}[${i}]`).toLowerCase();
    return providerBySlug(OPENROUTER_ALIASES[slug] ?? slug)?.id;
  });
  return [...new Set(ids.filter((id): id is ProviderId => id !== undefined))];
}
