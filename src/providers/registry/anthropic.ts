import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration } from '../types';
import { modelsCheck } from './classify';

const NAME = 'Anthropic';

/** Anthropic Messages API (providers.md §2.1, wire format §1.2). */
export const anthropicProvider = {
  id: ProviderId.ANTHROPIC,
  slug: 'anthropic',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.ANTHROPIC_MESSAGES,
  credentialFormat: CredentialFormat.API_KEY,
  // Base includes /v1: the adapter POSTs `${api}/messages`, validation GETs `${api}/models`.
  defaultEndpoints: { api: 'https://api.anthropic.com/v1' },
  auth: { type: 'header', name: 'x-api-key' },
  staticHeaders: { 'anthropic-version': '2023-06-01' },
  // Free GET /v1/models; bad key → 401 authentication_error (§2.1 "Key check").
  validation: modelsCheck(NAME, {}, '/models?limit=1'),
  notes:
    'providers.md §2.1. x-api-key + anthropic-version 2023-06-01; usage merged from message_start ' +
    'and the last (cumulative) message_delta (§1.2). Bad key: 401 authentication_error.',
} satisfies ProviderDeclaration;
