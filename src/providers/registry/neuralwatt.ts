import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { httpCheck } from './classify';

const NAME = 'Neuralwatt';

/** Neuralwatt subscription, OpenAI-compatible (providers.md §2.17). */
export const neuralwattProvider = {
  id: ProviderId.NEURALWATT,
  slug: 'neuralwatt',
  name: NAME,
  kind: ProviderKind.SUBSCRIPTION,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://api.neuralwatt.com/v1' },
  auth: { type: 'bearer' },
  // /v1/models is public and proves nothing; /v1/quota needs the key [G]. Bad-key status [U].
  validation: httpCheck(NAME, { method: 'GET', base: 'api', path: '/quota' }),
  openAi: { includeUsage: true, reasoning: { effort: ['low', 'medium', 'high'], budget: 'thinking_token_budget' } },
  notes:
    'providers.md §2.17. Bearer; key check GET /v1/quota; no developer role (send system); ' +
    'flex tier (-flex ids) requires stream:true.',
} satisfies ProviderDeclaration;
