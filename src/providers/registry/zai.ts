import { parseUpstreamErrorBody } from '../errors';
import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, UpstreamErrorInfo, ValidationVerdict } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Z.ai';

/**
 * The business code inside a Z.ai error body, `{"error":{"code":"1113","message":…}}`
 * (providers.md §2.12 "Key check": 1000–1004 auth, 1113 no balance; §2.18 plan codes 1308–1313).
 */
export function zaiBusinessCode(body: string): string | undefined {
  const code = parseUpstreamErrorBody(body).code;
  return code !== undefined && /^\d{4}$/.test(code) ? code : undefined;
}

/**
 * On the pay-as-you-go API, 429 + 1113 means "insufficient balance or no resource package": the
 * key authenticated, the account just has no PAYG balance, which is typical of a GLM Coding Plan
 * key added here by mistake (§2.18 "Wrong-endpoint symptom").
 */
function noBalanceQuirk(status: number, body: string): ValidationVerdict | undefined {
  if (status === 429 && zaiBusinessCode(body) === '1113') {
    return {
      outcome: 'VALID',
      note: 'key accepted, but the account has no pay-as-you-go balance (code 1113); a GLM Coding Plan key belongs to Z.ai Coding Plan',
    };
  }
  return undefined;
}

/** 1113 is a funds problem, not a rate limit: retrying or moving on at once will not help. */
function mapZaiError(_status: number, body: string): UpstreamErrorInfo | undefined {
  if (zaiBusinessCode(body) !== '1113') return undefined;
  return {
    code: 'UPSTREAM_INSUFFICIENT_FUNDS',
    message: `${NAME}: insufficient balance or no resource package (code 1113)`,
    retryable: false,
  };
}

/** Z.ai general (pay-as-you-go) API (providers.md §2.12). */
export const zaiProvider = {
  id: ProviderId.ZAI,
  slug: 'zai',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  // International; China (Zhipu BigModel) is https://open.bigmodel.cn/api/paas/v4.
  defaultEndpoints: { api: 'https://api.z.ai/api/paas/v4' },
  auth: { type: 'bearer' },
  // Bad key: 401 with business code 1000–1004.
  validation: modelsCheck(NAME, { quirk: noBalanceQuirk }),
  openAi: {
    includeUsage: true,
    // tools.md §1.1: thinking {type}; interleaved thinking wants reasoning back; only tool_choice auto;
    // tool_stream streams arguments.
    reasoning: { thinking: true, replay: true },
    tools: { autoOnly: true, toolStream: true },
  },
  mapError: mapZaiError,
  notes:
    'providers.md §2.12. Bearer; usage only in the last chunk; thinking on by default. ' +
    '429 code 1113 = no PAYG balance (often a Coding Plan key on the general endpoint, §2.18).',
} satisfies ProviderDeclaration;
