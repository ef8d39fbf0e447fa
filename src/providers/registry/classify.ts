/**
 * The one default key-validation classifier (providers.md §3.4 "Key-validation matrix") and the
 * helper every declaration builds its HTTP check with. Declarations pass only their quirks.
 */
import { errorTokenOf } from '../errors';
import type { HttpValidationSpec, ValidationVerdict } from '../types';

/** A provider quirk: a verdict for answers it recognizes, undefined to fall through to the default. */
export type VerdictQuirk = (status: number, body: string) => ValidationVerdict | undefined;

/** How one provider deviates from the default classification. */
export interface ClassifyOptions {
  /** Statuses that are this provider's bad-key answer. Default 401 and 403 (xAI adds 400, §2.11). */
  badKeyStatuses?: readonly number[];
  /** Checked before the default. */
  quirk?: VerdictQuirk;
}

/** The request part of an {@link HttpValidationSpec}. */
export type HttpCheckRequest = Omit<HttpValidationSpec, 'classify'>;

const DEFAULT_BAD_KEY_STATUSES: readonly number[] = [401, 403];

/** `401 from OpenAI: invalid_api_key`: our own words plus at most an identifier-like token. */
export function verdictMessage(providerName: string, status: number, body: string, prefix = ''): string {
  const token = errorTokenOf(body);
  return `${prefix}${status} from ${providerName}${token ? `: ${token}` : ''}`;
}

/**
 * 2xx → VALID; the bad-key statuses → INVALID; 402 → VALID with a note (the key authenticated,
 * the account has no balance: Chutes `/users/me` §2.14); 429, 5xx and anything else → RETRY,
 * since none of them proves the key either way.
 */
export function defaultVerdict(
  providerName: string,
  status: number,
  body: string,
  badKeyStatuses: readonly number[] = DEFAULT_BAD_KEY_STATUSES,
): ValidationVerdict {
  if (status >= 200 && status < 300) return { outcome: 'VALID' };
  if (badKeyStatuses.includes(status)) return { outcome: 'INVALID', error: verdictMessage(providerName, status, body) };
  if (status === 402) {
    return { outcome: 'VALID', note: `key accepted, but ${providerName} reports insufficient balance (402)` };
  }
  if (status === 429) return { outcome: 'RETRY', error: `429 from ${providerName}: rate limited` };
  if (status >= 500) return { outcome: 'RETRY', error: verdictMessage(providerName, status, body) };
  return { outcome: 'RETRY', error: verdictMessage(providerName, status, body, 'unexpected ') };
}

/** A classifier: the provider's quirk first, then {@link defaultVerdict}. */
export function makeClassifier(
  providerName: string,
  options: ClassifyOptions = {},
): (status: number, body: string) => ValidationVerdict {
  return (status, body) =>
    options.quirk?.(status, body) ?? defaultVerdict(providerName, status, body, options.badKeyStatuses);
}

/** An HTTP validation spec with the shared classifier. */
export function httpCheck(
  providerName: string,
  request: HttpCheckRequest,
  options: ClassifyOptions = {},
): HttpValidationSpec {
  return { ...request, classify: makeClassifier(providerName, options) };
}

/** The most common check: a free `GET {api}/models` (providers.md §3.4 "Prefer free GETs"). */
export function modelsCheck(providerName: string, options: ClassifyOptions = {}, path = '/models'): HttpValidationSpec {
  return httpCheck(providerName, { method: 'GET', base: 'api', path }, options);
}
