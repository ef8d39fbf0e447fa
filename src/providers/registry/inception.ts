import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Inception';

/** Inception Labs (Mercury), OpenAI-compatible (providers.md §2.5). */
export const inceptionProvider = {
  id: ProviderId.INCEPTION,
  slug: 'inception',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://api.inceptionlabs.ai/v1' },
  auth: { type: 'bearer' },
  // GET /v1/models [G]; bad-key status [U], probably 401 (default covers 401/403).
  validation: modelsCheck(NAME),
  openAi: { includeUsage: true, reasoning: { effort: ['instant', 'low', 'medium', 'high'] } },
  notes: 'providers.md §2.5. Bearer sk_…; reasoning in delta.reasoning_content; send include_usage.',
} satisfies ProviderDeclaration;
