import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, UpstreamErrorInfo, ValidationVerdict } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Fireworks AI';

/** Fire Pass (`fpk_…`) keys are refused on some routes after authenticating (§2.3). */
const FIRE_PASS_REFUSAL = /Fire Pass API keys are not authorized/i;

/** A Fire Pass key gets 403 FORBIDDEN on /models: it authenticated, so the key is good (§2.3). */
function firePassQuirk(status: number, body: string): ValidationVerdict | undefined {
  if (status === 403 && FIRE_PASS_REFUSAL.test(body)) {
    return { outcome: 'VALID', note: 'Fire Pass key: authenticated, but not authorized to list models (403)' };
  }
  return undefined;
}

/**
 * Should a Fire Pass key meet the same refusal on a chat route, the key is still good (it just
 * proved itself in validation): report the route/model as refused instead of invalidating it.
 */
function mapFireworksError(status: number, body: string): UpstreamErrorInfo | undefined {
  if (status === 403 && FIRE_PASS_REFUSAL.test(body)) {
    return {
      code: 'UPSTREAM_ERROR',
      message: `${NAME}: Fire Pass keys are not authorized for this model or route (HTTP 403)`,
      retryable: false,
    };
  }
  return undefined;
}

/** Fireworks serverless inference, OpenAI-compatible (providers.md §2.3). */
export const fireworksProvider = {
  id: ProviderId.FIREWORKS,
  slug: 'fireworks',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://api.fireworks.ai/inference/v1' },
  auth: { type: 'bearer' },
  // GET /inference/v1/models; its occasional 500 "Error listing deployed models" for valid
  // accounts is retried like any 5xx (§2.3 "Key check").
  validation: modelsCheck(NAME, { quirk: firePassQuirk }),
  openAi: {
    includeUsage: true,
    // tools.md §1.1: low|medium|high, and thinking.budget_tokens (Vercel fireworks-provider).
    reasoning: { effort: ['low', 'medium', 'high'], budget: 'thinking.budget_tokens', thinking: true },
  },
  mapError: mapFireworksError,
  notes:
    'providers.md §2.3. Bearer fw_… / fpk_… (Fire Pass). Bad key 401 UNAUTHORIZED; Fire Pass 403 ' +
    'FORBIDDEN on /models still proves the key. Error bodies: {error}, {detail}, {fault:{faultstring}}.',
} satisfies ProviderDeclaration;
