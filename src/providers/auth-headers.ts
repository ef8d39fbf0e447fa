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
): Headers {
  if (credential.kind !== 'api_key') throw new TypeError(`${provider.name} expects an API key credential`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(provider.staticHeaders ?? {})) headers.set(name, value);
  for (const [name, value] of Object.entries(extraHeaders ?? {})) headers.set(name, value);
  switch (provider.auth.type) {
    case 'bearer':
      headers.set('authorization', `Bearer ${credential.apiKey}`);
      break;
    case 'header':
      headers.set(provider.auth.name, credential.apiKey);
      break;
    case 'sigv4':
      throw new TypeError(`${provider.name} signs with SigV4 through the AWS SDK`);
  }
  return headers;
}
