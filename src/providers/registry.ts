/**
 * Every provider a key can be brought for, one declaration per file under `registry/`.
 * The mapped-type `satisfies` makes a missing provider, or a declaration filed under the wrong
 * id, a compile error.
 */
import { PROVIDER_IDS } from './types';
import type { ProviderDeclaration, ProviderId } from './types';
import { anthropicProvider } from './registry/anthropic';
import { bedrockProvider } from './registry/bedrock';
import { byteplusCodingProvider } from './registry/byteplus-coding';
import { chutesProvider } from './registry/chutes';
import { codestralProvider } from './registry/codestral';
import { fireworksProvider } from './registry/fireworks';
import { googleProvider } from './registry/google';
import { inceptionProvider } from './registry/inception';
import { kimiCodingProvider } from './registry/kimi-coding';
import { minimaxProvider } from './registry/minimax';
import { mistralProvider } from './registry/mistral';
import { moonshotaiProvider } from './registry/moonshotai';
import { neuralwattProvider } from './registry/neuralwatt';
import { novitaProvider } from './registry/novita';
import { openaiProvider } from './registry/openai';
import { xaiProvider } from './registry/xai';
import { zaiProvider } from './registry/zai';
import { zaiCodingProvider } from './registry/zai-coding';

export { defaultMapError, mapUpstreamError } from './errors';

/** All declarations by id. */
export const PROVIDERS = {
  ANTHROPIC: anthropicProvider,
  BEDROCK: bedrockProvider,
  FIREWORKS: fireworksProvider,
  GOOGLE: googleProvider,
  INCEPTION: inceptionProvider,
  MINIMAX: minimaxProvider,
  MISTRAL: mistralProvider,
  MOONSHOTAI: moonshotaiProvider,
  NOVITA: novitaProvider,
  OPENAI: openaiProvider,
  XAI: xaiProvider,
  ZAI: zaiProvider,
  BYTEPLUS_CODING: byteplusCodingProvider,
  CHUTES: chutesProvider,
  KIMI_CODING: kimiCodingProvider,
  CODESTRAL: codestralProvider,
  NEURALWATT: neuralwattProvider,
  ZAI_CODING: zaiCodingProvider,
} satisfies { readonly [K in ProviderId]: ProviderDeclaration & { readonly id: K } };

/** The declaration of `id`. */
export function getProvider(id: ProviderId): ProviderDeclaration {
  return PROVIDERS[id];
}

const BY_SLUG: ReadonlyMap<string, ProviderDeclaration> = new Map(
  PROVIDER_IDS.map((id) => [PROVIDERS[id].slug, PROVIDERS[id]] as const),
);

/** The provider whose slug (`zai-coding`, `anthropic`…) is `slug`, if any. Case-sensitive. */
export function providerBySlug(slug: string): ProviderDeclaration | undefined {
  return BY_SLUG.get(slug);
}

/** All declarations in the contract's ProviderId order (standard providers, then plans). */
export function listProviders(): ProviderDeclaration[] {
  return PROVIDER_IDS.map((id) => PROVIDERS[id]);
}
