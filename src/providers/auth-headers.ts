import type { Credential, ProviderDeclaration } from './types';

/**
 * Request headers for an API-key call: the provider's static headers, the operator's extra
 * headers (PROVIDER_HEADERS_<ID>), then the credential in the provider's own style
 * (providers.md §0 "Auth"). The credential goes last so no configured header can replace the
 * caller's key. SigV4 providers sign through the AWS SDK instead: a TypeError here.
 */
export function credentialHeaders(
  provider: ProviderDeclaration,
  credential: Credential,
  extraHeaders: Record<string, string> | undefined,
): Record<string, string> {
  if (credential.kind !== 'api_key') throw new TypeError(`${provider.name} expects an API key credential`);
  // A plain object with lower-case names (a later name replaces an earlier one, as Headers does):
  // node:http takes it as is, without undici's Headers on every completion.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(provider.staticHeaders ?? {})) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(extraHeaders ?? {})) headers[name.toLowerCase()] = value;
  switch (provider.auth.type) {
    case 'bearer':
      headers.authorization = `Bearer ${credential.apiKey}`;
      break;
    case 'header':
      headers[provider.auth.name.toLowerCase()] = credential.apiKey;
      break;
    case 'sigv4':
      throw new TypeError(`${provider.name} signs with SigV4 through the AWS SDK`);
  }
  return headers;
}
