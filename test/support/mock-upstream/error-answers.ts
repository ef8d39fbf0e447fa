/**
 * Rate-limit and server-error answers in each provider's own body shape, and the quirk
 * answers that look like failures but prove the key (providers.md §3.4).
 */
import { ProviderId } from '../../../src/providers/types';
import { type MockAnswer, jsonAnswer, randomId, textAnswer } from './answer';
import { stsErrorAnswer } from './sts';

const RETRY_AFTER = { 'retry-after': '1' };

function openAiStyle(status: number, message: string, type: string, code: string | null): MockAnswer {
  return jsonAnswer(status, { error: { message, type, param: null, code } });
}

function anthropicStyle(status: number, type: string, message: string): MockAnswer {
  return jsonAnswer(status, { type: 'error', error: { type, message }, request_id: `req_${randomId()}` });
}

function bedrockStyle(status: number, errorType: string, message: string): MockAnswer {
  return jsonAnswer(
    status,
    { message },
    { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': randomId(16) },
  );
}

/** 429 with `retry-after: 1`; STS answers throttling with 400 `Throttling`, as AWS query APIs do. */
export function rateLimitedAnswer(provider: ProviderId, base: 'api' | 'account'): MockAnswer {
  const a = rateLimitedBody(provider, base);
  return { ...a, headers: { ...a.headers, ...RETRY_AFTER } };
}

function rateLimitedBody(provider: ProviderId, base: 'api' | 'account'): MockAnswer {
  switch (provider) {
    case ProviderId.ANTHROPIC:
    case ProviderId.MINIMAX:
      return anthropicStyle(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit');
    case ProviderId.GOOGLE:
      return jsonAnswer(429, {
        error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
      });
    case ProviderId.BEDROCK:
      return base === 'account'
        ? stsErrorAnswer(400, 'Throttling', 'Rate exceeded')
        : bedrockStyle(429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
    case ProviderId.ZAI:
    case ProviderId.ZAI_CODING:
      return jsonAnswer(429, { error: { code: '1302', message: 'Rate limit reached for requests' } });
    case ProviderId.MISTRAL:
    case ProviderId.CODESTRAL:
      return jsonAnswer(429, { object: 'error', message: 'Requests rate limit exceeded', type: 'rate_limited', param: null, code: '1300' });
    case ProviderId.MOONSHOTAI:
    case ProviderId.KIMI_CODING:
      return jsonAnswer(429, { error: { message: 'Your account reached max request rate limit', type: 'rate_limit_reached_error' } });
    case ProviderId.XAI:
      return jsonAnswer(429, { code: 'Some resource has been exhausted', error: 'Too many requests. Please slow down.' });
    case ProviderId.BYTEPLUS_CODING:
      return jsonAnswer(429, {
        error: { code: 'RateLimitExceeded.EndpointRPMExceeded', message: 'The request rate limit has been exceeded.', param: '', type: 'TooManyRequests' },
      });
    case ProviderId.CHUTES:
      return jsonAnswer(429, { detail: 'Too many requests' });
    default:
      return openAiStyle(429, 'Rate limit reached for requests. Please try again in 1s.', 'requests', 'rate_limit_exceeded');
  }
}

/**
 * The `server-error` answer (`transient` false) or the 500 of a `flaky-N` key (`transient` true).
 * Anthropic overloads with 529, Google with 503, AWS with 503 ServiceUnavailable.
 */
export function serverErrorAnswer(
  provider: ProviderId,
  base: 'api' | 'account',
  endpoint: 'validation' | 'chat',
  transient: boolean,
): MockAnswer {
  switch (provider) {
    case ProviderId.ANTHROPIC:
      return transient
        ? anthropicStyle(500, 'api_error', 'Internal server error')
        : anthropicStyle(529, 'overloaded_error', 'Overloaded');
    case ProviderId.MINIMAX:
      return anthropicStyle(500, 'api_error', 'unknown error');
    case ProviderId.GOOGLE:
      return transient
        ? jsonAnswer(500, { error: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' } })
        : jsonAnswer(503, { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
    case ProviderId.BEDROCK:
      if (base === 'account') {
        return transient
          ? stsErrorAnswer(500, 'InternalFailure', 'An internal error occurred.', 'Receiver')
          : stsErrorAnswer(503, 'ServiceUnavailable', 'Service is unavailable.', 'Receiver');
      }
      return transient
        ? bedrockStyle(500, 'InternalServerException', 'The server encountered an internal error.')
        : bedrockStyle(503, 'ServiceUnavailableException', 'Service is temporarily unavailable.');
    case ProviderId.ZAI:
    case ProviderId.ZAI_CODING:
      return jsonAnswer(500, { error: { code: '500', message: 'Internal Error' } });
    case ProviderId.FIREWORKS:
      // providers.md §2.3: the models list "sometimes fails with 500 Error listing deployed models".
      return endpoint === 'validation'
        ? jsonAnswer(500, { error: { object: 'error', type: 'internal_server_error', message: 'Error listing deployed models' } })
        : openAiStyle(500, 'Internal server error', 'internal_server_error', null);
    case ProviderId.MISTRAL:
    case ProviderId.CODESTRAL:
      return jsonAnswer(500, { object: 'error', message: 'Internal server error', type: 'internal_server_error', param: null, code: null });
    case ProviderId.XAI:
      return jsonAnswer(500, { code: 'Internal error', error: 'Service temporarily unavailable. The model is overloaded.' });
    case ProviderId.CHUTES:
      return jsonAnswer(500, { detail: 'Internal server error' });
    default:
      return openAiStyle(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
  }
}

/** Fireworks Fire Pass key on `/models` (providers.md §2.3): authenticated, route not allowed. */
export function fireworksFirePassAnswer(): MockAnswer {
  return jsonAnswer(403, { error: { code: 'FORBIDDEN', message: 'Fire Pass API keys are not authorized for this route.' } });
}

/** Kimi Code chat from a client outside the coding-agent whitelist (providers.md §2.15). */
export function kimiAccessTerminatedAnswer(): MockAnswer {
  return jsonAnswer(403, {
    error: {
      message:
        'Kimi For Coding is currently only available for Coding Agents such as Kimi CLI, Claude Code, Roo Code, Kilo Code, etc.',
      type: 'access_terminated_error',
    },
  });
}

/** MiniMax's historical models-list answer (providers.md §2.6): unsupported, not a bad key. */
export function minimaxModelsNotFoundAnswer(): MockAnswer {
  return textAnswer(404, '404 page not found');
}

/**
 * Z.ai general endpoint with a Coding Plan key, or without pay-as-you-go balance
 * (providers.md §2.18): 429 code 1113, which is not a rate limit.
 */
export function zaiInsufficientBalanceAnswer(): MockAnswer {
  return jsonAnswer(429, { error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } });
}
