/**
 * Decides what the mock does with one request: the provider's route, auth style, scenario,
 * quirks, then a plain answer, a stream, or silence.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { ProviderId } from '../../../src/providers/types';
import { type MockAnswer, jsonAnswer, mockProblem } from './answer';
import { presentedCredential } from './auth';
import { badKeyAnswer, bedrockRuntimeBadKey, stsBadKey } from './bad-key-answers';
import {
  fireworksFirePassAnswer,
  kimiAccessTerminatedAnswer,
  minimaxModelsNotFoundAnswer,
  rateLimitedAnswer,
  serverErrorAnswer,
  zaiInsufficientBalanceAnswer,
} from './error-answers';
import type { FixtureVariant } from './fixtures';
import { parseMockAccessKeyId, parseMockKey } from './keys';
import type { EndpointKind } from './recorded-request';
import { type MockRoute, matchRoute } from './routes';
import { type Scenario, flakyCount } from './scenarios';
import { isGetCallerIdentity, stsErrorAnswer } from './sts';
import { publicCatalogAnswer, validationGoodAnswer } from './validation-answers';

export interface IncomingMockRequest {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  bodyText: string;
  body: unknown;
}

export type MockAction =
  | { type: 'answer'; answer: MockAnswer; delayMs: number }
  | { type: 'stream'; provider: ProviderId; variant: FixtureVariant; model: string; delayMs: number }
  | { type: 'hang' };

export interface Decision {
  provider: ProviderId | null;
  endpoint: EndpointKind;
  scenario: Scenario | null;
  action: MockAction;
}

export interface DecideContext {
  slowMs: number;
  /** Increments and returns how many requests this key has made (for `flaky-N`). */
  countRequest(key: string): number;
}

interface Endpoint {
  kind: Exclude<EndpointKind, 'unknown'>;
  /** Model id from the path (Gemini, Bedrock) or body (others). */
  model: string;
  /** Why a chat request is not one the mock serves (non-streaming). */
  unsupported?: string;
}

function now(answer: MockAnswer, delayMs = 0): MockAction {
  return { type: 'answer', answer, delayMs };
}

function bodyField(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function classify(route: MockRoute, base: 'api' | 'account', rest: string, req: IncomingMockRequest): Endpoint | undefined {
  const v = route.validation;
  if (base === 'account') {
    return v.base === 'account' && rest === v.path && req.method === v.method ? { kind: 'validation', model: '' } : undefined;
  }
  const streamFlag = bodyField(req.body, 'stream') === true;
  const bodyModel = String(bodyField(req.body, 'model') ?? '');
  if ((v.base === 'api' && rest === v.path && req.method === v.method) || route.alsoValidates?.some((a) => a.path === rest && a.method === req.method)) {
    return { kind: 'validation', model: bodyModel, unsupported: streamFlag ? 'only non-streaming key checks are mocked here' : undefined };
  }
  if (req.method === 'GET') {
    return route.publicPaths?.includes(rest) ? { kind: 'public', model: '' } : undefined;
  }
  if (req.method !== 'POST') return undefined;
  switch (route.dialect) {
    case 'openai':
      if (rest !== '/chat/completions') return undefined;
      return { kind: 'chat', model: bodyModel, unsupported: streamFlag ? undefined : 'only streaming chat is mocked: send "stream": true' };
    case 'anthropic':
      if (rest === '/messages/count_tokens' && route.provider === ProviderId.ANTHROPIC) return { kind: 'count', model: bodyModel };
      if (rest !== '/messages') return undefined;
      return { kind: 'chat', model: bodyModel, unsupported: streamFlag ? undefined : 'only streaming messages are mocked: send "stream": true' };
    case 'gemini': {
      const m = /^\/models\/([^/]+):(streamGenerateContent|generateContent)$/.exec(rest);
      if (!m) return undefined;
      const ok = m[2] === 'streamGenerateContent' && req.query.alt === 'sse';
      return { kind: 'chat', model: decodeURIComponent(m[1] ?? ''), unsupported: ok ? undefined : 'only :streamGenerateContent?alt=sse is mocked' };
    }
    case 'bedrock': {
      const m = /^\/model\/([^/]+)\/(converse-stream|converse)$/.exec(rest);
      if (!m) return undefined;
      const ok = m[2] === 'converse-stream';
      return { kind: 'chat', model: decodeURIComponent(m[1] ?? ''), unsupported: ok ? undefined : 'only converse-stream is mocked' };
    }
  }
}

/**
 * Anthropic's count_tokens: `{"input_tokens": N}`, N a deterministic function of the body (a
 * third of its JSON length) so tests can tell the provider's count from the gateway's estimate.
 * Messages-only fields are refused as the real endpoint refuses them.
 */
function countTokensAnswer(body: unknown): MockAnswer {
  for (const field of ['max_tokens', 'stream', 'temperature', 'top_p', 'stop_sequences']) {
    if (bodyField(body, field) !== undefined) {
      return jsonAnswer(400, { type: 'error', error: { type: 'invalid_request_error', message: `${field}: Extra inputs are not permitted` } });
    }
  }
  const { model: _model, ...counted } = (body ?? {}) as Record<string, unknown>;
  return jsonAnswer(200, { input_tokens: Math.ceil(JSON.stringify(counted).length / 3) });
}

function badAnswer(route: MockRoute, base: 'api' | 'account', presented: string | undefined): MockAnswer {
  if (route.provider === ProviderId.BEDROCK) return base === 'account' ? stsBadKey() : bedrockRuntimeBadKey();
  return badKeyAnswer(route.provider, presented);
}

/** Clients Kimi Code admits (providers.md §2.15); a `quirk` key from any other gets 403 on chat. */
const KIMI_WHITELISTED_AGENT = /^(KimiCLI|Kilo-Code|claude-cli|RooCode|Roo-Code)\//i;

function quirkAnswer(provider: ProviderId, endpoint: Endpoint, headers: IncomingHttpHeaders): MockAnswer | undefined {
  switch (provider) {
    case ProviderId.FIREWORKS:
      return endpoint.kind === 'validation' ? fireworksFirePassAnswer() : undefined;
    case ProviderId.MINIMAX:
      return endpoint.kind === 'validation' ? minimaxModelsNotFoundAnswer() : undefined;
    case ProviderId.KIMI_CODING:
      return endpoint.kind === 'chat' && !KIMI_WHITELISTED_AGENT.test(String(headers['user-agent'] ?? ''))
        ? kimiAccessTerminatedAnswer()
        : undefined;
    case ProviderId.ZAI:
      // A general-API key without pay-as-you-go balance.
      return zaiInsufficientBalanceAnswer();
    default:
      return undefined;
  }
}

export function decide(req: IncomingMockRequest, ctx: DecideContext): Decision {
  const matched = matchRoute(req.pathname);
  if (!matched) {
    return { provider: null, endpoint: 'unknown', scenario: null, action: now(mockProblem(404, `no provider owns ${req.pathname}`)) };
  }
  const { route, base, rest } = matched;
  const provider = route.provider;
  const result = (endpoint: EndpointKind, scenario: Scenario | null, action: MockAction): Decision => ({
    provider,
    endpoint,
    scenario,
    action,
  });

  if (provider === ProviderId.GOOGLE && 'key' in req.query) {
    // Google accepts ?key=, but a key in a URL ends up in access logs: the gateway must use the header.
    return result(
      'unknown',
      null,
      now(
        jsonAnswer(400, {
          error: { code: 400, message: 'mock-upstream: API key sent in the URL query (?key=); use the x-goog-api-key header', status: 'INVALID_ARGUMENT' },
        }),
      ),
    );
  }

  const endpoint = classify(route, base, rest, req);
  if (!endpoint) return result('unknown', null, now(mockProblem(404, `${provider} has no ${req.method} ${req.pathname}`)));
  if (endpoint.kind === 'public') return result('public', null, now(publicCatalogAnswer(provider)));

  const cred = presentedCredential(route.auth, req.headers);
  if (!cred.ok) return result(endpoint.kind, null, now(badAnswer(route, base, undefined)));

  let scenario: Scenario | undefined;
  let keyProvider: ProviderId | undefined;
  if (cred.sigv4) {
    const expectedService = base === 'account' ? route.sigv4Service?.account : route.sigv4Service?.api;
    if (cred.sigv4.service !== expectedService) return result(endpoint.kind, null, now(badAnswer(route, base, cred.key)));
    scenario = parseMockAccessKeyId(cred.key);
    keyProvider = ProviderId.BEDROCK;
  } else {
    const parsed = parseMockKey(cred.key);
    scenario = parsed?.scenario;
    keyProvider = parsed?.provider;
  }
  if (scenario === undefined) return result(endpoint.kind, null, now(badAnswer(route, base, cred.key)));

  if (keyProvider !== provider) {
    // providers.md §2.18: a Coding Plan key on the general pay-as-you-go endpoint.
    if (provider === ProviderId.ZAI && keyProvider === ProviderId.ZAI_CODING && scenario !== 'bad') {
      return result(endpoint.kind, scenario, now(zaiInsufficientBalanceAnswer()));
    }
    return result(endpoint.kind, scenario, now(badAnswer(route, base, cred.key)));
  }
  if (scenario === 'bad') return result(endpoint.kind, scenario, now(badAnswer(route, base, cred.key)));

  // Checked after the key, so a bad or missing key always gets the bad-key answer.
  for (const name of route.requiredHeaders ?? []) {
    if (req.headers[name] === undefined) {
      return result(
        endpoint.kind,
        scenario,
        now(jsonAnswer(400, { type: 'error', error: { type: 'invalid_request_error', message: `${name}: header is required` } })),
      );
    }
  }


  if (provider === ProviderId.BEDROCK && base === 'account' && !isGetCallerIdentity(req.bodyText)) {
    return result(endpoint.kind, scenario, now(stsErrorAnswer(400, 'InvalidAction', 'Could not find operation for this request')));
  }

  const failures = flakyCount(scenario);
  if (failures !== undefined && ctx.countRequest(cred.key) <= failures) {
    return result(endpoint.kind, scenario, now(serverErrorAnswer(provider, base, endpoint.kind === 'chat' ? 'chat' : 'validation', true)));
  }
  switch (scenario) {
    case 'ratelimited':
      return result(endpoint.kind, scenario, now(rateLimitedAnswer(provider, base)));
    case 'server-error':
      return result(endpoint.kind, scenario, now(serverErrorAnswer(provider, base, endpoint.kind === 'chat' ? 'chat' : 'validation', false)));
    case 'hang':
      return result(endpoint.kind, scenario, { type: 'hang' });
    default:
      break;
  }

  const delayMs = scenario === 'slow' ? ctx.slowMs : 0;
  const quirk = scenario === 'quirk' ? quirkAnswer(provider, endpoint, req.headers) : undefined;
  if (quirk) return result(endpoint.kind, scenario, now(quirk, delayMs));

  if (endpoint.unsupported) return result(endpoint.kind, scenario, now(mockProblem(400, endpoint.unsupported)));
  if (endpoint.kind === 'validation') {
    return result(endpoint.kind, scenario, now(validationGoodAnswer(provider, rest, cred.key, endpoint.model), delayMs));
  }
  if (endpoint.kind === 'count') return result('count', scenario, now(countTokensAnswer(req.body), delayMs));

  let variant: FixtureVariant = scenario === 'no-usage' ? 'no-usage' : scenario === 'midstream-error' ? 'midstream-error' : 'normal';
  // providers.md §2.10: OpenAI streams usage only when asked with stream_options.include_usage.
  const streamOptions = bodyField(req.body, 'stream_options');
  if (provider === ProviderId.OPENAI && variant === 'normal' && bodyField(streamOptions, 'include_usage') !== true) {
    variant = 'no-usage';
  }
  return result('chat', scenario, { type: 'stream', provider, variant, model: endpoint.model, delayMs });
}
