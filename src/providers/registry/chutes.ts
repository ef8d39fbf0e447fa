import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { httpCheck } from './classify';

const NAME = 'Chutes';

/** Chutes subscription, OpenAI-compatible (providers.md §2.14). */
export const chutesProvider = {
  id: ProviderId.CHUTES,
  slug: 'chutes',
  name: NAME,
  kind: ProviderKind.SUBSCRIPTION,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://llm.chutes.ai/v1', account: 'https://api.chutes.ai' },
  auth: { type: 'bearer' },
  // llm.chutes.ai/v1/models is public and proves nothing; /users/me on the account host does:
  // 401 invalid/revoked, 402 balance problem (authenticated → VALID with a note by default).
  validation: httpCheck(NAME, { method: 'GET', base: 'account', path: '/users/me' }),
  // LiteLLM maps max_completion_tokens → max_tokens for Chutes.
  openAi: { includeUsage: true, maxTokensField: 'max_tokens', reasoning: { effort: ['low', 'medium', 'high'] } },
  notes:
    'providers.md §2.14. Bearer cpk_…; key check GET https://api.chutes.ai/users/me; quota at ' +
    '/users/me/quota_usage/me (daily, resets 00:00 UTC). -TEE model ids are trusted-execution variants.',
} satisfies ProviderDeclaration;
