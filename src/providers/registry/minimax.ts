import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, ValidationVerdict } from '../types';
import { modelsCheck } from './classify';

const NAME = 'MiniMax';

/**
 * Until ~March 2026 MiniMax's models route answered 404 "404 page not found" for every key
 * (maintainer-confirmed, providers.md §2.6 "Key check"): the route is missing, not the key bad.
 * Counted as VALID, as decided for the gateway (§3.4 "Responses that look like failures").
 */
function missingModelsRouteQuirk(status: number): ValidationVerdict | undefined {
  if (status === 404) return { outcome: 'VALID', note: 'models route not available (404); key not rejected' };
  return undefined;
}

/** MiniMax through its Anthropic-compatible API, the dialect models.dev and kilocode use (§2.6). */
export const minimaxProvider = {
  id: ProviderId.MINIMAX,
  slug: 'minimax',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.ANTHROPIC_MESSAGES,
  credentialFormat: CredentialFormat.API_KEY,
  // SDK base https://api.minimax.io/anthropic + /v1: messages at /anthropic/v1/messages.
  // International host; China keys (api.minimaxi.com) need PROVIDER_BASE_URL_MINIMAX.
  defaultEndpoints: { api: 'https://api.minimax.io/anthropic/v1' },
  auth: { type: 'header', name: 'X-Api-Key' },
  staticHeaders: { 'anthropic-version': '2023-06-01' },
  validation: modelsCheck(NAME, { quirk: missingModelsRouteQuirk }),
  notes:
    'providers.md §2.6. Anthropic path with X-Api-Key; keys are region-bound (.io vs .com). Bad ' +
    'key: 401 authentication_error "invalid api key". Token Plan keys use the same hosts.',
} satisfies ProviderDeclaration;
