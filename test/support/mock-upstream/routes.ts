/**
 * Where each provider lives inside the mock upstream, and how it is called. Written from
 * providers.md (not from src/providers/registry) so the mock is an independent source of
 * truth: if a declaration gets a path or auth style wrong, the mock answers like the real
 * provider would (404 or the bad-key answer) and the tests notice.
 *
 * Every provider gets its own path prefix that mirrors the real URL's path, so the real
 * paths are exercised: `PROVIDER_BASE_URL_OPENAI=${url}/openai/v1` → POST /openai/v1/chat/completions.
 */
import { ProviderId } from '../../../src/providers/types';

export type MockDialect = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

/** How the mock expects the credential (anything else gets the provider's bad-key answer). */
export type MockAuthStyle =
  /** `Authorization: Bearer <key>` */
  | 'bearer'
  /** Anthropic `x-api-key` (requires `anthropic-version` too), MiniMax `X-Api-Key`. */
  | 'x-api-key'
  /** Google `x-goog-api-key`; `?key=` in the query string is answered 400 to catch leaks. */
  | 'x-goog-api-key'
  /** AWS SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request, …` */
  | 'sigv4';

export interface MockValidationRoute {
  method: 'GET' | 'POST';
  /** `api` → apiPrefix, `account` → accountPrefix. */
  base: 'api' | 'account';
  /** Relative to the base, e.g. `/models`. */
  path: string;
}

export interface MockRoute {
  provider: ProviderId;
  dialect: MockDialect;
  /** Real default base this prefix mirrors (providers.md). */
  realApiBase: string;
  /** Path of the api base inside the mock; `PROVIDER_BASE_URL_<ID>` = mock url + this. */
  apiPrefix: string;
  realAccountBase?: string;
  /** Path of the account base inside the mock; `PROVIDER_ACCOUNT_URL_<ID>` = mock url + this. */
  accountPrefix?: string;
  auth: MockAuthStyle;
  /** Headers a request must carry or it is rejected with 400 (Anthropic `anthropic-version`). */
  requiredHeaders?: readonly string[];
  /** SigV4 signing service expected on the api / account base. */
  sigv4Service?: { api: string; account?: string };
  /** The cheap key check (providers.md §3.4). */
  validation: MockValidationRoute;
  /**
   * Other authenticated calls on the api base that answer like the validation route (xAI
   * `GET /models`; Mistral/Codestral `POST /fim/completions`, the 1-token fallback check).
   */
  alsoValidates?: ReadonlyArray<{ method: 'GET' | 'POST'; path: string }>;
  /** GETs on the api base answered 200 without any key: public catalogs that prove nothing. */
  publicPaths?: readonly string[];
  /**
   * Streaming chat path relative to the api base; `{model}` is the (URL-encoded) model id.
   * Only streaming calls are mocked: a non-streaming call gets a 400 that says so.
   */
  chatPath: string;
  /** Status of the provider's own bad-key answer. */
  badKeyStatus: number;
}

const models: MockValidationRoute = { method: 'GET', base: 'api', path: '/models' };
/** Mistral fill-in-the-middle (non-streaming, `max_tokens: 1`): a key check that spends a token. */
const fim = { method: 'POST', path: '/fim/completions' } as const;

function openAi(
  provider: ProviderId,
  realApiBase: string,
  apiPrefix: string,
  extra: Partial<MockRoute> = {},
): MockRoute {
  return {
    provider,
    dialect: 'openai',
    realApiBase,
    apiPrefix,
    auth: 'bearer',
    validation: models,
    chatPath: '/chat/completions',
    badKeyStatus: 401,
    ...extra,
  };
}

export const MOCK_ROUTES = {
  [ProviderId.ANTHROPIC]: {
    provider: ProviderId.ANTHROPIC,
    dialect: 'anthropic',
    realApiBase: 'https://api.anthropic.com/v1',
    apiPrefix: '/anthropic/v1',
    auth: 'x-api-key',
    requiredHeaders: ['anthropic-version'],
    validation: models,
    chatPath: '/messages',
    badKeyStatus: 401,
  },
  [ProviderId.BEDROCK]: {
    provider: ProviderId.BEDROCK,
    dialect: 'bedrock',
    realApiBase: 'https://bedrock-runtime.{region}.amazonaws.com',
    apiPrefix: '/bedrock',
    realAccountBase: 'https://sts.{region}.amazonaws.com',
    accountPrefix: '/sts',
    auth: 'sigv4',
    sigv4Service: { api: 'bedrock', account: 'sts' },
    // STS GetCallerIdentity: form body Action=GetCallerIdentity&Version=2011-06-15.
    validation: { method: 'POST', base: 'account', path: '/' },
    chatPath: '/model/{model}/converse-stream',
    badKeyStatus: 403,
  },
  [ProviderId.FIREWORKS]: openAi(
    ProviderId.FIREWORKS,
    'https://api.fireworks.ai/inference/v1',
    '/fireworks/inference/v1',
  ),
  [ProviderId.GOOGLE]: {
    provider: ProviderId.GOOGLE,
    dialect: 'gemini',
    realApiBase: 'https://generativelanguage.googleapis.com/v1beta',
    apiPrefix: '/google/v1beta',
    auth: 'x-goog-api-key',
    validation: models,
    chatPath: '/models/{model}:streamGenerateContent?alt=sse',
    badKeyStatus: 400,
  },
  [ProviderId.INCEPTION]: openAi(ProviderId.INCEPTION, 'https://api.inceptionlabs.ai/v1', '/inception/v1'),
  [ProviderId.MINIMAX]: {
    provider: ProviderId.MINIMAX,
    dialect: 'anthropic',
    realApiBase: 'https://api.minimax.io/anthropic/v1',
    apiPrefix: '/minimax/anthropic/v1',
    auth: 'x-api-key',
    validation: models,
    chatPath: '/messages',
    badKeyStatus: 401,
  },
  [ProviderId.MISTRAL]: openAi(ProviderId.MISTRAL, 'https://api.mistral.ai/v1', '/mistral/v1', { alsoValidates: [fim] }),
  [ProviderId.MOONSHOTAI]: openAi(ProviderId.MOONSHOTAI, 'https://api.moonshot.ai/v1', '/moonshotai/v1'),
  // providers.md §2.9: base `https://api.novita.ai/openai`, requests go to `/openai/v1/...`, so
  // the base the registry uses must include `/v1`.
  [ProviderId.NOVITA]: openAi(ProviderId.NOVITA, 'https://api.novita.ai/openai/v1', '/novita/openai/v1'),
  [ProviderId.OPENAI]: openAi(ProviderId.OPENAI, 'https://api.openai.com/v1', '/openai/v1'),
  [ProviderId.XAI]: openAi(ProviderId.XAI, 'https://api.x.ai/v1', '/xai/v1', {
    validation: { method: 'GET', base: 'api', path: '/api-key' },
    alsoValidates: [{ method: 'GET', path: '/models' }],
    badKeyStatus: 400,
  }),
  [ProviderId.ZAI]: openAi(ProviderId.ZAI, 'https://api.z.ai/api/paas/v4', '/zai/api/paas/v4'),
  [ProviderId.BYTEPLUS_CODING]: openAi(
    ProviderId.BYTEPLUS_CODING,
    'https://ark.ap-southeast.bytepluses.com/api/coding/v3',
    '/byteplus/api/coding/v3',
  ),
  [ProviderId.CHUTES]: openAi(ProviderId.CHUTES, 'https://llm.chutes.ai/v1', '/chutes/v1', {
    realAccountBase: 'https://api.chutes.ai',
    accountPrefix: '/chutes-api',
    validation: { method: 'GET', base: 'account', path: '/users/me' },
    publicPaths: ['/models'],
  }),
  [ProviderId.KIMI_CODING]: openAi(ProviderId.KIMI_CODING, 'https://api.kimi.com/coding/v1', '/kimi/coding/v1'),
  // providers.md §2.16: GET /models (some report 404 there) or the safe 1-token FIM call.
  [ProviderId.CODESTRAL]: openAi(ProviderId.CODESTRAL, 'https://codestral.mistral.ai/v1', '/codestral/v1', {
    alsoValidates: [fim],
  }),
  [ProviderId.NEURALWATT]: openAi(ProviderId.NEURALWATT, 'https://api.neuralwatt.com/v1', '/neuralwatt/v1', {
    validation: { method: 'GET', base: 'api', path: '/quota' },
    publicPaths: ['/models'],
  }),
  [ProviderId.ZAI_CODING]: openAi(
    ProviderId.ZAI_CODING,
    'https://api.z.ai/api/coding/paas/v4',
    '/zai/api/coding/paas/v4',
  ),
} satisfies Record<ProviderId, MockRoute> as Record<ProviderId, MockRoute>;

/** Full mock path of a provider's validation request, e.g. `/xai/v1/api-key`, `/sts/`. */
export function validationPath(provider: ProviderId): string {
  const r = MOCK_ROUTES[provider];
  const prefix = r.validation.base === 'account' ? r.accountPrefix : r.apiPrefix;
  if (prefix === undefined) throw new Error(`${provider}: validation on the account base without one`);
  return prefix + r.validation.path;
}

/** Full mock path of a provider's streaming chat request for a model id. */
export function chatPath(provider: ProviderId, model: string): string {
  const r = MOCK_ROUTES[provider];
  return r.apiPrefix + r.chatPath.replace('{model}', encodeURIComponent(model));
}

export interface MatchedRoute {
  route: MockRoute;
  base: 'api' | 'account';
  /** Path after the prefix, always starting with `/` (`/` for the prefix itself). */
  rest: string;
}

/** Finds the provider whose api or account prefix owns a request path (segment-aligned). */
export function matchRoute(pathname: string): MatchedRoute | undefined {
  let best: MatchedRoute | undefined;
  let bestLength = -1;
  for (const route of Object.values(MOCK_ROUTES)) {
    const candidates: Array<['api' | 'account', string | undefined]> = [
      ['api', route.apiPrefix],
      ['account', route.accountPrefix],
    ];
    for (const [base, prefix] of candidates) {
      if (prefix === undefined || prefix.length <= bestLength) continue;
      if (pathname === prefix || pathname.startsWith(`${prefix}/`)) {
        best = { route, base, rest: pathname.slice(prefix.length) || '/' };
        bestLength = prefix.length;
      }
    }
  }
  return best;
}
