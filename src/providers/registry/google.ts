import { parseUpstreamErrorBody } from '../errors';
import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, UpstreamErrorInfo, ValidationVerdict } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Google AI Studio';

/**
 * Gemini answers a bad key with HTTP 400 INVALID_ARGUMENT and reason API_KEY_INVALID, not 401
 * (providers.md §2.4 "Key check"); "API Key not found" is the nonexistent-key variant.
 */
export function isGeminiBadKey(status: number, body: string): boolean {
  if (status !== 400) return false;
  const f = parseUpstreamErrorBody(body);
  return f.reason === 'API_KEY_INVALID' || /API key not valid|API Key not found/i.test(f.message ?? '');
}

function badKeyQuirk(status: number, body: string): ValidationVerdict | undefined {
  return isGeminiBadKey(status, body) ? { outcome: 'INVALID', error: `400 from ${NAME}: API_KEY_INVALID` } : undefined;
}

function mapGoogleError(status: number, body: string): UpstreamErrorInfo | undefined {
  if (!isGeminiBadKey(status, body)) return undefined;
  return { code: 'BYOK_KEY_INVALID', message: `${NAME} rejected the key (HTTP 400: API_KEY_INVALID)`, retryable: false };
}

/** Gemini API on AI Studio (providers.md §1.3, §2.4). */
export const googleProvider = {
  id: ProviderId.GOOGLE,
  slug: 'google',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.GEMINI,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://generativelanguage.googleapis.com/v1beta' },
  // Header, never `?key=`: a key in the URL ends up in logs and error messages.
  auth: { type: 'header', name: 'x-goog-api-key' },
  validation: modelsCheck(NAME, { quirk: badKeyQuirk }, '/models?pageSize=1'),
  mapError: mapGoogleError,
  notes:
    'providers.md §1.3, §2.4. x-goog-api-key; streamGenerateContent?alt=sse; usageMetadata on ' +
    'every chunk (keep the last). Bad key: 400 INVALID_ARGUMENT / API_KEY_INVALID.',
} satisfies ProviderDeclaration;
