/**
 * Upstream error bodies → short, safe gateway errors.
 *
 * Every provider family wraps its errors differently (providers.md §1.1–§1.4, §2.x "Key check"),
 * and some echo the key back, fully or masked (OpenAI "Incorrect API key provided: sk-…",
 * xAI "xx***yy"). So nothing here ever returns a raw body: messages are our own words plus, at
 * most, a redacted and truncated provider message.
 */
import type { ProviderDeclaration, UpstreamErrorInfo } from './types';

/** What could be read out of an upstream error body, whatever its shape. */
export interface UpstreamErrorFields {
  /** Human message (`error.message`, `detail`, `message`, `faultstring`, plain text…). */
  message?: string;
  /** `error.type` (OpenAI, Anthropic, Moonshot), `__type` (AWS). */
  type?: string;
  /** `error.code` as a string (OpenAI `invalid_api_key`, Z.ai `"1113"`, Gemini `400`). */
  code?: string;
  /** Gemini `error.status` (`INVALID_ARGUMENT`). */
  status?: string;
  /** Gemini `error.details[].reason` (`API_KEY_INVALID`). */
  reason?: string;
}

/** Longest provider message kept in a gateway error (brief: ~200 characters). */
export const MAX_ERROR_DETAIL = 200;

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Mistral/FastAPI `detail` is a string, or a list of `{msg}` validation errors (§2.7). */
function detailMessage(detail: unknown): string | undefined {
  if (Array.isArray(detail)) {
    const first: unknown = detail[0];
    return isJson(first) ? str(first.msg) : str(first);
  }
  return str(detail);
}

function geminiReason(details: unknown): string | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details as unknown[]) {
    if (isJson(d) && typeof d.reason === 'string') return d.reason;
  }
  return undefined;
}

/**
 * Reads the fields of any known error body shape:
 * OpenAI-likes `{error:{message,type,code}}`, Anthropic/MiniMax `{type:'error',error:{type,message}}`,
 * Gemini `{error:{code,message,status,details}}`, Mistral `{detail}` / `{message}`,
 * Fireworks `{fault:{faultstring,detail:{errorcode}}}`, xAI `{code,error:"…"}`,
 * AWS `{__type,message}`, MiniMax `{base_resp:{status_msg}}`, or plain text.
 */
export function parseUpstreamErrorBody(body: string): UpstreamErrorFields {
  const json = parse(body);
  if (!isJson(json)) {
    const text = body.trim();
    return text === '' ? {} : { message: text };
  }
  const out: UpstreamErrorFields = {};
  const error = json.error;
  if (isJson(error)) {
    out.message = str(error.message);
    out.type = str(error.type);
    out.code = str(error.code);
    out.status = str(error.status);
    out.reason = geminiReason(error.details);
  } else if (typeof error === 'string') {
    // xAI: {"code":"Client specified an invalid argument","error":"Incorrect API key provided: …"}
    out.message = str(error);
    out.code = str(json.code);
  }
  const fault = json.fault;
  if (isJson(fault)) {
    out.message ??= str(fault.faultstring);
    out.code ??= isJson(fault.detail) ? str(fault.detail.errorcode) : undefined;
  }
  const baseResp = json.base_resp;
  if (isJson(baseResp)) {
    out.message ??= str(baseResp.status_msg);
    out.code ??= str(baseResp.status_code);
  }
  out.message ??= detailMessage(json.detail) ?? str(json.message) ?? str(json.Message);
  out.type ??= str(json.__type) ?? (json.type !== 'error' ? str(json.type) : undefined);
  out.code ??= str(json.code);
  for (const k of Object.keys(out) as (keyof UpstreamErrorFields)[]) {
    if (out[k] === undefined) delete out[k];
  }
  return out;
}

// A "word" here is anything a key could be written with, masks included.
const WORD = /[A-Za-z0-9_\-.~+/=:*…]+/g;
const KEY_PREFIX = /^(?:sk|xai|fw|fpk|cpk|ark)[-_][A-Za-z0-9]/;
const FIXED_KEY = /(?:AKIA|ASIA)[A-Z0-9]{12}|AIza[A-Za-z0-9_-]{20}/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function looksSecret(word: string): boolean {
  // Masked echoes: "xx***yy" (xAI §2.11), "sk-proj-****abcd" (OpenAI §2.10), "sk-…f3a9".
  if (/\*\*/.test(word) || /[A-Za-z0-9_-](?:…|\.\.\.)[A-Za-z0-9]/.test(word)) return true;
  // Known key prefixes (sk-, xai-, fw_, fpk_, cpk_, ark-…), but not ids like `ark-code-latest`.
  if (KEY_PREFIX.test(word) && word.length >= 16 && /\d/.test(word)) return true;
  if (FIXED_KEY.test(word)) return true;
  // Volcengine/BytePlus keys are UUID-shaped (§2.13).
  if (UUID.test(word)) return true;
  // High-entropy run: 16+ alphanumerics mixing letters and digits (model ids have short segments).
  return word.split(/[^A-Za-z0-9]+/).some((seg) => seg.length >= 16 && /\d/.test(seg) && /[A-Za-z]/.test(seg));
}

/** Replaces every word that looks like a key, a masked key or a long token with `[redacted]`. */
export function redactLikelySecrets(text: string): string {
  return text.replace(WORD, (word) => (looksSecret(word) ? '[redacted]' : word));
}

/** Redacts, collapses whitespace and truncates to `max` characters (with an ellipsis). */
export function safeDetail(text: string, max = MAX_ERROR_DETAIL): string {
  const clean = redactLikelySecrets(text).replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * An identifier-like token from a body (`invalid_api_key`, `authentication_error`, `1113`) or
 * undefined. Only letters/underscores, or a short number: a key always mixes letters and digits,
 * so such a token cannot be one.
 */
export function safeToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^[A-Za-z_]{1,48}$/.test(value) || /^\d{1,6}$/.test(value) ? value : undefined;
}

/** The most telling safe token of a body: code, then type, reason, status (for verdict messages). */
export function errorTokenOf(body: string): string | undefined {
  const f = parseUpstreamErrorBody(body);
  return safeToken(f.code) ?? safeToken(f.type) ?? safeToken(f.reason) ?? safeToken(f.status);
}

/** A short, redacted description of an error body: its message, else its type/code. */
export function describeUpstreamError(body: string, max = MAX_ERROR_DETAIL): string | undefined {
  const f = parseUpstreamErrorBody(body);
  const text = f.message ?? f.type ?? f.code;
  return text === undefined ? undefined : safeDetail(text, max);
}

/**
 * The status-based mapping of an upstream answer received before the first byte
 * (ARCHITECTURE.md "Routing a completion" step 6): 401/403 invalidate the key; 429, 5xx and 529
 * move on to the owner's next candidate; 402 is a funds problem; any other 4xx is the request's
 * own problem and is reported with the provider's (redacted, truncated) message.
 */
export function defaultMapError(status: number, body: string, providerName = 'Upstream'): UpstreamErrorInfo {
  if (status === 401 || status === 403) {
    const token = errorTokenOf(body);
    return {
      code: 'BYOK_KEY_INVALID',
      message: `${providerName} rejected the key (HTTP ${status}${token ? `: ${token}` : ''})`,
      retryable: false,
    };
  }
  if (status === 429) {
    return { code: 'UPSTREAM_RATE_LIMITED', message: `${providerName} rate-limited the request (HTTP 429)`, retryable: true };
  }
  if (status === 402) {
    return {
      code: 'UPSTREAM_INSUFFICIENT_FUNDS',
      message: `${providerName} reports insufficient funds on the account (HTTP 402)`,
      retryable: false,
    };
  }
  const detail = describeUpstreamError(body);
  const suffix = detail ? `: ${detail}` : '';
  // 529 is Anthropic's overloaded_error (§1.2); 408 is a timeout, as good as a connection error.
  if (status >= 500 || status === 408) {
    return { code: 'UPSTREAM_ERROR', message: `${providerName} failed (HTTP ${status})${suffix}`, retryable: true };
  }
  return { code: 'UPSTREAM_ERROR', message: `${providerName} refused the request (HTTP ${status})${suffix}`, retryable: false };
}

/**
 * The provider's own quirk mapping first (Z.ai 1113, Kimi Code 403, xAI/Gemini bad-key 400…),
 * then {@link defaultMapError}. This is what dialect adapters call on a non-2xx answer.
 */
export function mapUpstreamError(provider: ProviderDeclaration, status: number, body: string): UpstreamErrorInfo {
  return provider.mapError?.(status, body) ?? defaultMapError(status, body, provider.name);
}
