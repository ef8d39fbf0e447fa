import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { modelsCheck } from './classify';

const NAME = 'OpenAI';

/** OpenAI Chat Completions (providers.md §1.1, §2.10). */
export const openaiProvider = {
  id: ProviderId.OPENAI,
  slug: 'openai',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://api.openai.com/v1' },
  auth: { type: 'bearer' },
  // Free GET /v1/models; bad key → 401 invalid_api_key.
  validation: modelsCheck(NAME),
  // Usage only with include_usage (§1.1); reasoning models reject max_tokens with 400
  // unsupported_parameter (§2.10 "Quirks").
  openAi: {
    includeUsage: true,
    maxTokensField: 'max_completion_tokens',
    reasoning: { effort: ['none', 'minimal', 'low', 'medium', 'high'] },
  },
  notes: 'providers.md §1.1, §2.10. Bearer; include_usage required for usage; max_completion_tokens.',
} satisfies ProviderDeclaration;
