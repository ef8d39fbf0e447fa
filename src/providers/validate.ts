/**
 * Runs a provider's key check (providers.md §3.4): the declaration's HTTP spec with global fetch,
 * or STS GetCallerIdentity for Bedrock (§1.4 "Cheap credential validation"). Never throws for an
 * upstream or network problem: those are verdicts. Verdict texts never carry the secret.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { safeToken } from './errors';
import { redactCredential, redactUpstreamBody } from './credential-redaction';
import { credentialHeaders } from './auth-headers';
import type { Credential, HttpValidationSpec, ProviderDeclaration, ProviderEndpoints, ValidationVerdict } from './types';

/** How one validation call runs. */
export interface ValidateOptions {
  /** Aborts the call (worker shutdown). */
  signal: AbortSignal;
  /** Whole-call budget: connect, answer and body. */
  timeoutMs: number;
  /** Operator-set extra headers (PROVIDER_HEADERS_<ID>); the auth header always wins. */
  extraHeaders?: Record<string, string>;
}

/** The verdict and, when the provider answered, its HTTP status (for the validation job record). */
export interface ValidationResult {
  verdict: ValidationVerdict;
  httpStatus?: number;
}

/** Used for a `{region}` template when the credential carries no region (vercel/ai's fallback, §2.2). */
export const DEFAULT_AWS_REGION = 'us-east-1';

/** Most of a body a classifier needs: bad-key answers are small; model lists are not read whole. */
const MAX_BODY_CHARS = 16_384;

const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/**
 * Whether `region` is shaped like an AWS region (`us-east-1`, `us-gov-west-1`). The region comes
 * from the user and is spliced into a host name: anything else could send signed requests to a
 * host of the user's choosing.
 */
export function isValidAwsRegion(region: string): boolean {
  return AWS_REGION.test(region);
}

/**
 * Replaces `{region}` in an endpoint template with the credential's region (Bedrock, STS).
 * API-key credentials carry no region and get {@link DEFAULT_AWS_REGION}.
 * @throws Error when the region is not shaped like an AWS region.
 */
export function resolveEndpointUrl(template: string, credential: Credential): string {
  if (!template.includes('{region}')) return template;
  const region = credential.kind === 'aws' ? credential.region : DEFAULT_AWS_REGION;
  if (!isValidAwsRegion(region)) throw new Error('invalid AWS region');
  return template.split('{region}').join(region);
}

/** {@link resolveEndpointUrl} applied to both bases. */
export function resolveEndpoints(endpoints: ProviderEndpoints, credential: Credential): ProviderEndpoints {
  const api = resolveEndpointUrl(endpoints.api, credential);
  return endpoints.account === undefined
    ? { api }
    : { api, account: resolveEndpointUrl(endpoints.account, credential) };
}

/** Checks `credential` against `provider` at `endpoints` (defaults or operator overrides). */
export async function validateCredential(
  provider: ProviderDeclaration,
  endpoints: ProviderEndpoints,
  credential: Credential,
  opts: ValidateOptions,
): Promise<ValidationResult> {
  const spec = provider.validation;
  const result =
    'type' in spec
      ? await validateWithSts(endpoints, credential, opts)
      : await validateWithHttp(provider, spec, endpoints, credential, opts);
  return { ...result, verdict: scrubVerdict(result.verdict, credential) };
}

async function validateWithHttp(
  provider: ProviderDeclaration,
  spec: HttpValidationSpec,
  endpoints: ProviderEndpoints,
  credential: Credential,
  opts: ValidateOptions,
): Promise<ValidationResult> {
  if (credential.kind !== 'api_key') {
    return { verdict: { outcome: 'INVALID', error: `${provider.name} expects an API key` } };
  }
  const template = spec.base === 'account' ? endpoints.account : endpoints.api;
  if (template === undefined) {
    return { verdict: { outcome: 'RETRY', error: `${provider.name}: no account endpoint configured` } };
  }
  const url = joinUrl(resolveEndpointUrl(template, credential), spec.path);
  if (provider.auth.type === 'sigv4') {
    return { verdict: { outcome: 'INVALID', error: `${provider.name}: SigV4 needs AWS credentials` } };
  }
  const headers = credentialHeaders(provider, credential, opts.extraHeaders);
  headers.accept = 'application/json';
  if (spec.body !== undefined) headers['content-type'] = 'application/json';

  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([opts.signal, timeout]);
  let status: number | undefined;
  try {
    const res = await fetch(url, {
      method: spec.method,
      headers,
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      signal,
      redirect: 'manual',
    });
    status = res.status;
    // The classifier never sees the key, whatever the body quotes (see credential-redaction.ts).
    const body = redactUpstreamBody(await readLimited(res, MAX_BODY_CHARS), credential);
    return { verdict: spec.classify(res.status, body), httpStatus: res.status };
  } catch (err) {
    return { verdict: { outcome: 'RETRY', error: abortReason(opts, timeout) ?? networkError(err) }, httpStatus: status };
  }
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** Reads at most `limit` characters, then lets the connection go. */
async function readLimited(res: Response, limit: number): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
    if (text.length >= limit) {
      await reader.cancel().catch(() => undefined);
      return text.slice(0, limit);
    }
  }
}

function abortReason(opts: ValidateOptions, timeout: AbortSignal): string | undefined {
  if (opts.signal.aborted) return 'validation aborted';
  if (timeout.aborted) return `timed out after ${opts.timeoutMs} ms`;
  return undefined;
}

/**
 * `connect ECONNREFUSED`, `getaddrinfo ENOTFOUND`, `UND_ERR_SOCKET`: the error's code only, never
 * its message (it may carry the URL or peer address).
 */
function networkError(err: unknown): string {
  // Duck-typed, not instanceof: errors may come from another realm (undici, test sandboxes).
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, syscall } = e as { code?: unknown; syscall?: unknown };
    if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) {
      return typeof syscall === 'string' && /^[a-z]{2,20}$/.test(syscall) ? `${syscall} ${code}` : code;
    }
  }
  return 'network error';
}

/** STS answers that mean the credentials themselves are wrong, expired or unknown. */
const STS_BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
]);

async function validateWithSts(
  endpoints: ProviderEndpoints,
  credential: Credential,
  opts: ValidateOptions,
): Promise<ValidationResult> {
  if (credential.kind !== 'aws') return { verdict: { outcome: 'INVALID', error: 'AWS Bedrock expects AWS credentials' } };
  if (!isValidAwsRegion(credential.region)) return { verdict: { outcome: 'INVALID', error: 'invalid AWS region' } };
  const client = new STSClient({
    region: credential.region,
    endpoint: resolveEndpointUrl(endpoints.account ?? 'https://sts.{region}.amazonaws.com', credential),
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      sessionToken: credential.sessionToken,
    },
    // The queue retries with backoff; the SDK must not retry inside one attempt.
    maxAttempts: 1,
    // HTTP/1 with explicit timeouts (ARCHITECTURE.md "Streaming": mocks speak HTTP/1).
    requestHandler: new NodeHttpHandler({ connectionTimeout: opts.timeoutMs, requestTimeout: opts.timeoutMs }),
  });
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), {
      abortSignal: AbortSignal.any([opts.signal, timeout]),
    });
    return { verdict: { outcome: 'VALID' }, httpStatus: out.$metadata.httpStatusCode ?? 200 };
  } catch (err) {
    return stsFailure(err, opts, timeout);
  } finally {
    client.destroy();
  }
}

function stsFailure(err: unknown, opts: ValidateOptions, timeout: AbortSignal): ValidationResult {
  const aborted = abortReason(opts, timeout);
  if (aborted) return { verdict: { outcome: 'RETRY', error: aborted } };
  const { name, $metadata } = err as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  const errorName = typeof name === 'string' ? safeToken(name) : undefined;
  if (status === undefined) {
    if (errorName === 'TimeoutError') return { verdict: { outcome: 'RETRY', error: `timed out after ${opts.timeoutMs} ms` } };
    return { verdict: { outcome: 'RETRY', error: networkError(err) } };
  }
  const error = `${status} from AWS STS${errorName ? `: ${errorName}` : ''}`;
  if (errorName !== undefined && STS_BAD_CREDENTIALS.has(errorName)) {
    return { verdict: { outcome: 'INVALID', error }, httpStatus: status };
  }
  return { verdict: { outcome: 'RETRY', error }, httpStatus: status };
}

/** Defense in depth: no classifier should quote the key, but none can leak it past here. */
function scrubVerdict(verdict: ValidationVerdict, credential: Credential): ValidationVerdict {
  const scrub = (text: string): string => redactCredential(text, credential);
  switch (verdict.outcome) {
    case 'VALID':
      return verdict.note === undefined ? verdict : { ...verdict, note: scrub(verdict.note) };
    case 'INVALID':
    case 'RETRY':
      return { ...verdict, error: scrub(verdict.error) };
  }
}
