/**
 * Each provider's own answer to a bad, missing or wrongly presented key (providers.md §2.x).
 * Shapes marked [U] there are the provider's usual error shape with the documented status.
 */
import { ProviderId } from '../../../src/providers/types';
import { type MockAnswer, jsonAnswer, randomId } from './answer';
import { stsErrorAnswer } from './sts';

/** xAI-style redaction: first two and last two characters (`xa***yz`). */
function redactShort(key: string): string {
  return key.length >= 6 ? `${key.slice(0, 2)}***${key.slice(-2)}` : '***';
}

/** OpenAI-style redaction: the key's prefix up to 8 chars, stars, last four. */
function redactOpenAi(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 8)}${'*'.repeat(20)}${key.slice(-4)}` : '***';
}

/**
 * The bad-key answer. `presented` is what arrived in the expected place (undefined when
 * nothing did, or the key came in the wrong header).
 */
export function badKeyAnswer(provider: ProviderId, presented: string | undefined): MockAnswer {
  switch (provider) {
    case ProviderId.OPENAI:
      return jsonAnswer(401, {
        error: {
          message:
            presented === undefined
              ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
              : `Incorrect API key provided: ${redactOpenAi(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          param: null,
          code: presented === undefined ? null : 'invalid_api_key',
        },
      });
    case ProviderId.ANTHROPIC:
      return jsonAnswer(401, {
        type: 'error',
        error: {
          type: 'authentication_error',
          message: presented === undefined ? 'x-api-key header is required' : 'invalid x-api-key',
        },
        request_id: `req_${randomId()}`,
      });
    case ProviderId.MINIMAX:
      return jsonAnswer(401, {
        type: 'error',
        error: {
          type: 'authentication_error',
          message:
            presented === undefined
              ? "login fail: Please carry the API secret key in the 'X-Api-Key' field of the request header"
              : 'invalid api key',
        },
        request_id: randomId(),
      });
    case ProviderId.GOOGLE:
      return jsonAnswer(400, {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'API_KEY_INVALID',
              domain: 'googleapis.com',
              metadata: { service: 'generativelanguage.googleapis.com' },
            },
            {
              '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
              locale: 'en-US',
              message: 'API key not valid. Please pass a valid API key.',
            },
          ],
        },
      });
    case ProviderId.XAI:
      return jsonAnswer(400, {
        code: 'Client specified an invalid argument',
        error: `Incorrect API key provided: ${redactShort(presented ?? '')}. You can obtain an API key from https://console.x.ai.`,
      });
    case ProviderId.BEDROCK:
      return bedrockRuntimeBadKey();
    case ProviderId.MOONSHOTAI:
      return jsonAnswer(401, { error: { message: 'Invalid Authentication', type: 'invalid_authentication_error' } });
    case ProviderId.KIMI_CODING:
      return jsonAnswer(401, {
        error: {
          message: 'The API Key appears to be invalid or may have expired. Please verify your credentials and try again.',
          type: 'invalid_authentication_error',
        },
      });
    case ProviderId.MISTRAL:
      return jsonAnswer(401, { detail: 'Unauthorized' });
    case ProviderId.CODESTRAL:
      return jsonAnswer(401, { message: 'Unauthorized', request_id: randomId(16) });
    case ProviderId.FIREWORKS:
      return jsonAnswer(401, {
        error: { object: 'error', type: 'invalid_request_error', code: 'UNAUTHORIZED', message: 'The API key you provided is invalid.' },
      });
    case ProviderId.ZAI:
    case ProviderId.ZAI_CODING:
      return jsonAnswer(401, {
        error:
          presented === undefined
            ? { code: '1001', message: 'Authorization header is missing.' }
            : { code: '1002', message: 'Invalid Authorization token. Please confirm it is passed correctly.' },
      });
    case ProviderId.BYTEPLUS_CODING:
      return jsonAnswer(401, {
        error: {
          code: 'AuthenticationError',
          message: `The API key or AK/SK in the request is missing or invalid. Request id: ${randomId()}`,
          param: '',
          type: 'Unauthorized',
        },
      });
    case ProviderId.CHUTES:
      return jsonAnswer(401, { detail: 'Invalid token.' });
    case ProviderId.NEURALWATT:
      return jsonAnswer(401, { error: { message: 'Invalid API key', type: 'authentication_error', code: 'invalid_api_key' } });
    case ProviderId.INCEPTION:
      return jsonAnswer(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
    case ProviderId.NOVITA:
      return jsonAnswer(401, { code: 401, reason: 'INVALID_API_KEY', message: 'invalid api key', metadata: {} });
  }
}

/** Bedrock runtime: 403 with the error type in `x-amzn-ErrorType` (providers.md §1.4). */
export function bedrockRuntimeBadKey(): MockAnswer {
  return jsonAnswer(
    403,
    { message: 'The security token included in the request is invalid.' },
    {
      'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/',
      'x-amzn-requestid': randomId(16),
    },
  );
}

/** STS GetCallerIdentity with a bad access key id. */
export function stsBadKey(): MockAnswer {
  return stsErrorAnswer(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
}
