/**
 * Error answers that quote what the request presented, as some real upstreams do ("Incorrect API
 * key provided: …", a proxy echoing the request's headers). Used to prove the gateway scrubs the
 * exact secret it sent from every upstream text, whatever the key looks like.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { ProviderId } from '../../../src/providers/types';
import { type MockAnswer, jsonAnswer } from './answer';
import { presentedCredential } from './auth';
import { MOCK_ROUTES } from './routes';
import { stsErrorAnswer } from './sts';

export interface EchoErrorConfig {
  /** Status of every answer while the echo is on (400, 422, 500…). */
  status: number;
  /**
   * The message to send, given what the request presented (the API key; for SigV4 the access
   * key id, since the secret never travels: a test quotes the secret it knows to stand for an
   * upstream that leaks it some other way).
   */
  message(presented: string): string;
}

/** The echo answer in the provider's own error shape. */
export function echoErrorAnswer(
  provider: ProviderId,
  base: 'api' | 'account',
  headers: IncomingHttpHeaders,
  cfg: EchoErrorConfig,
): MockAnswer {
  const route = MOCK_ROUTES[provider];
  const cred = presentedCredential(route.auth, headers);
  const message = cfg.message(cred.ok ? cred.key : '');
  if (provider === ProviderId.BEDROCK) {
    if (base === 'account') return stsErrorAnswer(cfg.status, 'ValidationError', xmlEscape(message));
    return jsonAnswer(cfg.status, { message }, { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' });
  }
  switch (route.dialect) {
    case 'anthropic':
      return jsonAnswer(cfg.status, { type: 'error', error: { type: 'invalid_request_error', message } });
    case 'gemini':
      return jsonAnswer(cfg.status, { error: { code: cfg.status, message, status: 'INVALID_ARGUMENT' } });
    default:
      return jsonAnswer(cfg.status, { error: { message, type: 'invalid_request_error', param: null, code: null } });
  }
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
