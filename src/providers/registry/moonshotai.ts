import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Moonshot AI';

/** Moonshot's Kimi platform, pay as you go (providers.md §2.8). */
export const moonshotaiProvider = {
  id: ProviderId.MOONSHOTAI,
  slug: 'moonshotai',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.OPENAI_CHAT,
  credentialFormat: CredentialFormat.API_KEY,
  // International platform; .cn keys need PROVIDER_BASE_URL_MOONSHOTAI=https://api.moonshot.cn/v1.
  defaultEndpoints: { api: 'https://api.moonshot.ai/v1' },
  auth: { type: 'bearer' },
  // Bad key: 401 invalid_authentication_error; Kimi Code keys (sk-kimi-…) get 401 here too.
  validation: modelsCheck(NAME),
  openAi: {
    includeUsage: true,
    // tools.md §1.1: thinking {type, budget_tokens}; reasoning_content kept on assistant turns.
    reasoning: { thinking: true, budget: 'thinking.budget_tokens', replay: true },
  },
  notes:
    'providers.md §2.8. Usage may arrive in choices[0].usage; reasoning models accept only ' +
    'temperature 1. Kimi Code subscription keys belong to KIMI_CODING, not here.',
} satisfies ProviderDeclaration;
