import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, UpstreamErrorInfo, ValidationVerdict } from '../types';
import { modelsCheck } from './classify';
import { zaiBusinessCode } from './zai';

const NAME = 'Z.ai Coding Plan';

/**
 * 1113 on the plan's own endpoint → INVALID, deliberately. The key authenticated, but the account
 * behind it has no GLM Coding Plan (and no balance) there (providers.md §2.18 "Wrong-endpoint
 * symptom": map 1113 to "no plan / no balance", never to a rate limit). Waiting does not change
 * that, so RETRY would only end in UNREACHABLE and suggest a network problem; VALID would route
 * requests that all fail. INVALID with this message tells the owner what to fix. 1309 (plan
 * expired) is the same situation.
 */
function planQuirk(status: number, body: string): ValidationVerdict | undefined {
  if (status < 400) return undefined;
  const code = zaiBusinessCode(body);
  if (code === '1113') {
    return {
      outcome: 'INVALID',
      error: 'Z.ai Coding Plan: this key has no active coding plan or balance on the coding endpoint (code 1113)',
    };
  }
  if (code === '1309') return { outcome: 'INVALID', error: 'Z.ai Coding Plan: the plan has expired (code 1309)' };
  return undefined;
}

/** The plan's business codes (§2.18 "Other plan errors"), whatever the HTTP status. */
function mapZaiCodingError(status: number, body: string): UpstreamErrorInfo | undefined {
  if (status < 400) return undefined;
  switch (zaiBusinessCode(body)) {
    case '1113':
      return {
        code: 'UPSTREAM_INSUFFICIENT_FUNDS',
        message: `${NAME}: no active coding plan or balance for this key (code 1113)`,
        retryable: false,
      };
    case '1309':
      return { code: 'UPSTREAM_INSUFFICIENT_FUNDS', message: `${NAME}: the plan has expired (code 1309)`, retryable: false };
    case '1308':
    case '1310':
      return { code: 'UPSTREAM_RATE_LIMITED', message: `${NAME}: plan usage cap reached, wait for the reset`, retryable: true };
    case '1313':
      return { code: 'UPSTREAM_RATE_LIMITED', message: `${NAME}: fair-use throttling (code 1313)`, retryable: true };
    case '1311':
      return { code: 'UPSTREAM_ERROR', message: `${NAME}: this model is not included in the plan (code 1311)`, retryable: false };
    case '1312':
      return { code: 'UPSTREAM_ERROR', message: `${NAME}: model overloaded (code 1312)`, retryable: true };
    default:
      return undefined;
  }
}

/** GLM Coding Plan: the dedicated coding endpoint, never the general PAYG one (§2.18). */
export const zaiCodingProvider = {
  id: ProviderId.ZAI_CODING,
  slug: 'zai-coding',
  name: NAME,
  kind: ProviderKind.SUBSCRIPTION,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  // "configure the dedicated Coding API … instead of the General API" (docs.z.ai devpack).
  defaultEndpoints: { api: 'https://api.z.ai/api/coding/paas/v4' },
  auth: { type: 'bearer' },
  validation: modelsCheck(NAME, { quirk: planQuirk }),
  openAi: {
    includeUsage: true,
    // tools.md §1.1: thinking {type}; interleaved thinking wants reasoning back; only tool_choice auto;
    // tool_stream streams arguments.
    reasoning: { thinking: true, replay: true },
    tools: { autoOnly: true, toolStream: true },
  },
  mapError: mapZaiCodingError,
  notes:
    'providers.md §2.18. Same account key as Z.ai; billing depends on the endpoint. 429 code 1113 ' +
    '= no plan/balance; 1308–1313 plan caps, expiry, model not in plan.',
} satisfies ProviderDeclaration;
