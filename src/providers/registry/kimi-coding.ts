import { parseUpstreamErrorBody } from '../errors';
import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, UpstreamErrorInfo, ValidationVerdict } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Kimi Code';

/** Kimi Code admits only recognized coding agents; others get 403 access_terminated_error (§2.15). */
function isClientWhitelistRefusal(status: number, body: string): boolean {
  return status === 403 && parseUpstreamErrorBody(body).type === 'access_terminated_error';
}

function whitelistQuirk(status: number, body: string): ValidationVerdict | undefined {
  if (!isClientWhitelistRefusal(status, body)) return undefined;
  return {
    outcome: 'VALID',
    note: 'key accepted; Kimi Code admits only recognized coding agents (set PROVIDER_HEADERS_KIMI_CODING)',
  };
}

/**
 * The key is fine; the gateway is not a whitelisted client. The gateway never invents a client
 * identity (ARCHITECTURE.md "Streaming"): the operator decides, after checking Kimi's terms.
 */
function mapKimiCodingError(status: number, body: string): UpstreamErrorInfo | undefined {
  if (!isClientWhitelistRefusal(status, body)) return undefined;
  return {
    code: 'UPSTREAM_ERROR',
    message:
      `${NAME} refused this client (403 access_terminated_error): it admits only recognized coding agents. ` +
      'The operator can set PROVIDER_HEADERS_KIMI_CODING to a recognized coding-agent identity (see providers.md §2.15).',
    retryable: false,
  };
}

/** Kimi Code ("Kimi For Coding") subscription, OpenAI path (providers.md §2.15). */
export const kimiCodingProvider = {
  id: ProviderId.KIMI_CODING,
  slug: 'kimi-coding',
  name: NAME,
  kind: ProviderKind.SUBSCRIPTION,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  // The plan's endpoint; sk-kimi-… keys are refused (401) on the Moonshot platform.
  defaultEndpoints: { api: 'https://api.kimi.com/coding/v1' },
  auth: { type: 'bearer' },
  // GET /coding/v1/models succeeds even for non-whitelisted clients; bad-key status [U].
  validation: modelsCheck(NAME, { quirk: whitelistQuirk }),
  openAi: {
    includeUsage: true,
    reasoning: { thinking: true, budget: 'thinking.budget_tokens', replay: true },
  },
  mapError: mapKimiCodingError,
  notes:
    'providers.md §2.15. Bearer sk-kimi-…; chat from unrecognized clients → 403 ' +
    'access_terminated_error: operators set PROVIDER_HEADERS_KIMI_CODING (check Kimi\'s terms). ' +
    'Usage may be in choices[0].usage, as Moonshot.',
} satisfies ProviderDeclaration;
