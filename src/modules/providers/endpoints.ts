import type { AppConfig } from '../../config/config';
import { getProvider } from '../../providers/registry';
import type { ProviderEndpoints, ProviderId } from '../../providers/types';

/**
 * Where a provider's calls go in this deployment: the registry's defaults unless the operator
 * overrides them (PROVIDER_BASE_URL_<ID>, PROVIDER_ACCOUNT_URL_<ID>). Never from a request.
 */
export function providerEndpoints(config: AppConfig, id: ProviderId): ProviderEndpoints {
  const defaults = getProvider(id).defaultEndpoints;
  const o = config.providers[id];
  const account = o?.accountUrl ?? defaults.account;
  return { api: o?.baseUrl ?? defaults.api, ...(account ? { account } : {}) };
}

/** Operator-set extra headers for a provider (PROVIDER_HEADERS_<ID>). */
export function providerHeaders(config: AppConfig, id: ProviderId): Record<string, string> | undefined {
  return config.providers[id]?.headers;
}
