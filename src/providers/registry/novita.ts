import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Novita AI';

/** Novita's OpenAI-compatible API (providers.md §2.9). */
export const novitaProvider = {
  id: ProviderId.NOVITA,
  slug: 'novita',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  // Current base https://api.novita.ai/openai + /v1 (legacy /v3/openai still works).
  defaultEndpoints: { api: 'https://api.novita.ai/openai/v1' },
  auth: { type: 'bearer' },
  // GET /openai/v1/models; bad-key status [U], probably 401.
  validation: modelsCheck(NAME),
  openAi: { includeUsage: true, reasoning: { effort: ['low', 'medium', 'high'] } },
  notes: 'providers.md §2.9. Bearer sk_…; stream_options supported; model ids like zai-org/glm-5.1.',
} satisfies ProviderDeclaration;
