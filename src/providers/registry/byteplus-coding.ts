import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { modelsCheck } from './classify';

const NAME = 'BytePlus Coding Plan';

/** BytePlus ModelArk Coding Plan, OpenAI protocol (providers.md §2.13). */
export const byteplusCodingProvider = {
  id: ProviderId.BYTEPLUS_CODING,
  slug: 'byteplus-coding',
  name: NAME,
  kind: ProviderKind.SUBSCRIPTION,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  // Never https://ark.ap-southeast.bytepluses.com/api/v3: "connecting will incur additional
  // charges" (the pay-as-you-go ModelArk API, official BytePlus doc 2277824).
  defaultEndpoints: { api: 'https://ark.ap-southeast.bytepluses.com/api/coding/v3' },
  auth: { type: 'bearer' },
  // GET /api/coding/v3/models [G]; the list is unreliable but the auth check is not.
  // Bad key: 401 "The API key or AK/SK in the request is missing or invalid."
  validation: modelsCheck(NAME),
  openAi: { includeUsage: true, reasoning: { thinking: true } },
  notes:
    'providers.md §2.13. Bearer ark-… plan key (Team/Enterprise plan keys differ from ModelArk ' +
    'keys). Quota windows of 5 h / week / month; exhaustion waits, never spills into balance.',
} satisfies ProviderDeclaration;
