import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { httpCheck } from './classify';

const NAME = 'Mistral Codestral';

/** Codestral's own endpoint and key (providers.md §2.16). */
export const codestralProvider = {
  id: ProviderId.CODESTRAL,
  slug: 'codestral',
  name: NAME,
  kind: ProviderKind.SUBSCRIPTION,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  // A Codestral key works only here, not on api.mistral.ai (docs.continue.dev).
  defaultEndpoints: { api: 'https://codestral.mistral.ai/v1' },
  auth: { type: 'bearer' },
  // GET /v1/models is reported to 404 on this host (§2.16 "Key check"), which would leave every
  // key UNREACHABLE; the documented safe fallback is a 1-token FIM call.
  // Bad key: 401 {"message":"Unauthorized"}.
  validation: httpCheck(NAME, {
    method: 'POST',
    base: 'api',
    path: '/fim/completions',
    body: { model: 'codestral-latest', prompt: 'def', max_tokens: 1 },
  }),
  // Same API family as Mistral: usage on the final chunk by default, no stream_options (§2.7).
  openAi: { includeUsage: false, tools: { mistral: true } },
  notes: 'providers.md §2.16. Bearer Codestral key; FIM at /fim/completions and chat; validated with a 1-token FIM.',
} satisfies ProviderDeclaration;
