/**
 * Bedrock failures → gateway errors (providers.md §1.4 "Common errors", "In-stream exceptions").
 * The SDK throws typed exceptions named after the AWS error type, carrying `$metadata`.
 */
import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { UpstreamError } from '../types';
import { redactCredential, redactUpstreamBody } from '../credential-redaction';
import type { Credential, ProviderDeclaration, UpstreamChatRequest, UpstreamErrorInfo } from '../types';
import { connectionError, connectionLostError, mapHttpError, midstreamError } from './http-error';
import { numberAt, objectAt, stringAt } from './json';

/** A modeled AWS exception, reduced to what the mapping needs. */
export interface BedrockException {
  name: string;
  message: string;
  status: number;
}

/**
 * Reads name, message and HTTP status off an SDK error; undefined for a socket-level failure.
 * Duck-typed rather than `instanceof Error`: Node's own errors may come from another realm.
 */
export function asBedrockException(err: unknown): BedrockException | undefined {
  const name = stringAt(err, 'name');
  const message = stringAt(err, 'message') ?? '';
  if (name === undefined) return undefined;
  const status = numberAt(objectAt(err, '$metadata'), 'httpStatusCode');
  const fault = stringAt(err, '$fault');
  if (status !== undefined || fault === 'client' || fault === 'server') return { name, message, status: status ?? 0 };
  // Exception frames the SDK could not model still arrive named like `*Exception`.
  if (name.endsWith('Exception')) return { name, message, status: numberAt(err, 'status') ?? 0 };
  return undefined;
}

const KEY_INVALID = new Set([
  'UnrecognizedClientException',
  'AccessDeniedException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
]);
const RATE_LIMITED = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);
const TRANSIENT = new Set([
  'ServiceUnavailableException',
  'InternalServerException',
  'InternalFailure',
  'ModelNotReadyException',
  'ModelTimeoutException',
]);
const REFUSED = new Set(['ValidationException', 'ResourceNotFoundException', 'ModelErrorException']);

/** Maps an exception thrown before the first event; `credential` is scrubbed from anything quoted. */
export function bedrockErrorInfo(provider: ProviderDeclaration, ex: BedrockException, credential: Credential): UpstreamErrorInfo {
  // The declaration sees the AWS JSON error shape, as if it had read the raw answer.
  const body = redactUpstreamBody(JSON.stringify({ __type: ex.name, message: ex.message }), credential);
  const quirk = provider.mapError?.(ex.status, body);
  if (quirk) return { ...quirk, message: redactCredential(quirk.message, credential) };
  const name = provider.name;
  if (KEY_INVALID.has(ex.name)) {
    return { code: 'BYOK_KEY_INVALID', message: `${name} rejected the credentials (${ex.name})`, retryable: false };
  }
  if (RATE_LIMITED.has(ex.name)) {
    return { code: 'UPSTREAM_RATE_LIMITED', message: `${name} throttled the request (${ex.name})`, retryable: true };
  }
  if (TRANSIENT.has(ex.name)) {
    return { code: 'UPSTREAM_ERROR', message: `${name} is unavailable (${ex.name})`, retryable: true };
  }
  if (REFUSED.has(ex.name)) {
    return { code: 'UPSTREAM_ERROR', message: `${name} refused the request (${ex.name})`, retryable: false };
  }
  return mapHttpError(provider, ex.status, body, credential);
}

/** An error thrown by `send()`: the upstream answered non-2xx, or never answered. */
export function bedrockConnectError(provider: ProviderDeclaration, err: unknown, credential: Credential): UpstreamError {
  const ex = asBedrockException(err);
  if (!ex) return connectionError(provider.name);
  return new UpstreamError(bedrockErrorInfo(provider, ex, credential), ex.status, 'connect');
}

/** An error while iterating the event stream (exception frames, broken connection). */
export function bedrockMidstreamError(req: UpstreamChatRequest, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const ex = asBedrockException(err);
  if (!ex) return connectionLostError(req.provider.name);
  return midstreamError(req.provider.name, req.credential, ex.name, ex.message);
}

/** An exception delivered as a union member instead of being thrown (SDK behaviour is [U]). */
export function bedrockStreamException(event: ConverseStreamOutput): BedrockException | undefined {
  const entries: [string, unknown][] = [
    ['InternalServerException', event.internalServerException],
    ['ModelStreamErrorException', event.modelStreamErrorException],
    ['ValidationException', event.validationException],
    ['ThrottlingException', event.throttlingException],
    ['ServiceUnavailableException', event.serviceUnavailableException],
  ];
  for (const [name, value] of entries) {
    if (value !== undefined && value !== null) return { name, message: stringAt(value, 'message') ?? '', status: 0 };
  }
  return undefined;
}
