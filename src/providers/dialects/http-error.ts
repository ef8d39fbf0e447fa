/**
 * Upstream failure → gateway error, for the dialect adapters. Answers before the first byte go
 * through the shared `mapUpstreamError` (provider quirks, then the status default); everything
 * else is built here from our own words, since an upstream message can echo the key.
 */
import { redactCredential, redactUpstreamBody } from '../credential-redaction';
import { mapUpstreamError } from '../errors';
import { UpstreamError } from '../types';
import type { Credential, ProviderDeclaration, UpstreamErrorInfo } from '../types';

/**
 * Maps a non-2xx answer received before the stream started. The credential of the call is
 * scrubbed from the body before any mapping reads it, and from the message after, so neither a
 * provider quirk nor the pattern redaction has to recognise the key.
 */
export function mapHttpError(provider: ProviderDeclaration, status: number, body: string, credential: Credential): UpstreamErrorInfo {
  const info = mapUpstreamError(provider, status, redactUpstreamBody(body, credential));
  return { ...info, message: redactCredential(info.message, credential) };
}

/**
 * A connection that never produced an answer (DNS, refused, reset, TLS). The URL is left out on
 * purpose: some providers' designs put secrets in it.
 */
export function connectionError(providerName: string): UpstreamError {
  return new UpstreamError(
    { code: 'UPSTREAM_ERROR', message: `could not connect to ${providerName}`, retryable: true },
    0,
    'connect',
  );
}

/** The connection broke after the stream started (nothing is retried after the first byte). */
export function connectionLostError(providerName: string): UpstreamError {
  return new UpstreamError(
    { code: 'UPSTREAM_ERROR', message: `connection to ${providerName} lost mid-stream`, retryable: false },
    0,
    'midstream',
  );
}

const MAX_DETAIL = 200;

/**
 * An error event inside a 2xx stream (providers.md §1.1–§1.4 "Mid-stream"). The upstream's error
 * type and a truncated message are kept for the user, with the secret scrubbed defensively.
 */
export function midstreamError(
  providerName: string,
  credential: Credential,
  type: string | undefined,
  message: string | undefined,
): UpstreamError {
  const kind = type ? ` (${type})` : '';
  const detail = message ? `: ${redactCredential(message, credential).slice(0, MAX_DETAIL)}` : '';
  return new UpstreamError(
    { code: 'UPSTREAM_ERROR', message: `${providerName} stream error${kind}${detail}`, retryable: false },
    0,
    'midstream',
  );
}

/** A 2xx stream whose event could not be understood. */
export function malformedStreamError(providerName: string): UpstreamError {
  return new UpstreamError(
    { code: 'UPSTREAM_ERROR', message: `${providerName} sent a malformed stream event`, retryable: false },
    0,
    'midstream',
  );
}
