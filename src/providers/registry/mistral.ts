import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Mistral AI';

/** Mistral La Plateforme (providers.md §2.7). */
export const mistralProvider = {
  id: ProviderId.MISTRAL,
  slug: 'mistral',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  defaultEndpoints: { api: 'https://api.mistral.ai/v1' },
  auth: { type: 'bearer' },
  // Bad key: 401 {"detail":"Unauthorized"} (§2.7).
  validation: modelsCheck(NAME),
  // Mistral puts usage on the finish_reason chunk by default and vercel/ai sends no
  // stream_options (§2.7 "Streaming"); its strict request schema is not worth the risk.
  openAi: { includeUsage: false, tools: { mistral: true } },
  notes:
    'providers.md §2.7. Bearer; usage on the final chunk by default. Errors {detail} or ' +
    '{message,request_id}. New keys may take minutes to activate.',
} satisfies ProviderDeclaration;
