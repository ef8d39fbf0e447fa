import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, UpstreamErrorInfo, ValidationVerdict } from '../types';
import { httpCheck } from './classify';

const NAME = 'xAI';

/**
 * GET /v1/api-key answers 200 for a key that exists but is blocked or disabled, and says so in
 * its body (providers.md §2.11 "Key check"): such a key cannot serve requests.
 */
function blockedKeyQuirk(status: number, body: string): ValidationVerdict | undefined {
  if (status < 200 || status >= 300) return undefined;
  let info: unknown;
  try {
    info = JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
  if (typeof info !== 'object' || info === null) return undefined;
  const flags = info as Record<string, unknown>;
  if (flags.api_key_blocked === true) return { outcome: 'INVALID', error: 'xAI reports the key as blocked' };
  if (flags.api_key_disabled === true) return { outcome: 'INVALID', error: 'xAI reports the key as disabled' };
  if (flags.team_blocked === true) return { outcome: 'INVALID', error: "xAI reports the key's team as blocked" };
  return undefined;
}

/** xAI's bad key is HTTP 400 "Incorrect API key provided: xx***yy…", not 401 (§2.11). */
function mapXaiError(status: number, body: string): UpstreamErrorInfo | undefined {
  if (status === 400 && /Incorrect API key/i.test(body)) {
    return { code: 'BYOK_KEY_INVALID', message: `${NAME} rejected the key (HTTP 400: incorrect API key)`, retryable: false };
  }
  return undefined;
}

/** xAI Grok API, OpenAI-compatible (providers.md §2.11). */
export const xaiProvider = {
  id: ProviderId.XAI,
  slug: 'xai',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://api.x.ai/v1' },
  auth: { type: 'bearer' },
  // Any 400 on this bodiless GET is the bad-key answer (the message echoes a masked key, so the
  // verdict never quotes it).
  validation: httpCheck(
    NAME,
    { method: 'GET', base: 'api', path: '/api-key' },
    { badKeyStatuses: [400, 401, 403], quirk: blockedKeyQuirk },
  ),
  // completion_tokens excludes reasoning_tokens (§1.5, xAI fixture).
  openAi: {
    includeUsage: true,
    completionExcludesReasoning: true,
    // tools.md §1.1: none|low|medium|high|xhigh (Vercel xai-chat-language-model-options).
    reasoning: { effort: ['none', 'low', 'medium', 'high'] },
  },
  mapError: mapXaiError,
  notes:
    'providers.md §2.11. Bearer xai-…; bad key is HTTP 400 "Incorrect API key provided"; ' +
    'GET /v1/api-key also reports blocked/disabled keys; output = completion + reasoning tokens.',
} satisfies ProviderDeclaration;
