import type { Credential } from '../providers/types';

const ELLIPSIS = '…';

/** A vendor prefix such as `sk-`, `xai-` or `fw_`: letters then `-`/`_` within the first 8 chars. */
const VENDOR_PREFIX = /^[A-Za-z]{1,7}[-_]/;

/** Keys shorter than this get no prefix unless it is a vendor prefix. */
const MIN_LENGTH_FOR_BARE_PREFIX = 20;
/** Keys shorter than this show 2 trailing chars instead of 4. */
const MIN_LENGTH_FOR_FULL_SUFFIX = 16;
/** Hard cap on what a hint reveals, as a share of the key. */
const MAX_REVEALED_SHARE = 0.25;

/**
 * A display hint for an API key (`sk-…f3a9`) so users can tell their keys apart.
 *
 * Shows a recognisable prefix (a vendor prefix like `sk-`, else the first 3 chars of keys of
 * 20+ chars), an ellipsis and the last 4 chars (2 for keys under 16 chars). Whatever the
 * rules above give, at most 25% of the key is revealed: the prefix is dropped first (it
 * names the vendor, the suffix tells keys apart), then the suffix shrinks.
 */
export function apiKeyHint(apiKey: string): string {
  // Code points, so a stray multi-byte character is never cut in half.
  const chars = Array.from(apiKey);
  const length = chars.length;
  const budget = Math.floor(length * MAX_REVEALED_SHARE);

  const suffixLength = Math.min(length < MIN_LENGTH_FOR_FULL_SUFFIX ? 2 : 4, budget);
  const vendorPrefix = VENDOR_PREFIX.exec(apiKey)?.[0];
  let prefixLength =
    vendorPrefix !== undefined ? vendorPrefix.length : length >= MIN_LENGTH_FOR_BARE_PREFIX ? 3 : 0;
  if (prefixLength + suffixLength > budget) prefixLength = 0;

  const prefix = chars.slice(0, prefixLength).join('');
  const suffix = suffixLength > 0 ? chars.slice(-suffixLength).join('') : '';
  return `${prefix}${ELLIPSIS}${suffix}`;
}

/** Access key ids are `AKIA`/`ASIA` + 16 chars; shorter input is treated like an API key. */
const MIN_ACCESS_KEY_ID_LENGTH = 16;
const REGION = /^[a-z0-9-]{1,32}$/;

/**
 * A display hint for AWS credentials: `AKIA…WXYZ (us-east-1)`.
 *
 * The access key id is an identifier, not the secret (AWS prints it in consoles and
 * CloudTrail), so it shows its 4-char type prefix and last 4 chars; the secret access key
 * and session token never contribute.
 */
export function awsHint(accessKeyId: string, region: string): string {
  const id =
    accessKeyId.length >= MIN_ACCESS_KEY_ID_LENGTH
      ? `${accessKeyId.slice(0, 4)}${ELLIPSIS}${accessKeyId.slice(-4)}`
      : apiKeyHint(accessKeyId);
  // Region is free text from the user; anything unexpected is not echoed.
  const shownRegion = REGION.test(region) ? region : 'invalid region';
  return `${id} (${shownRegion})`;
}

/** The hint for any stored credential. */
export function credentialHint(credential: Credential): string {
  switch (credential.kind) {
    case 'api_key':
      return apiKeyHint(credential.apiKey);
    case 'aws':
      return awsHint(credential.accessKeyId, credential.region);
    default:
      return assertNever(credential);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled credential kind: ${JSON.stringify((value as { kind?: unknown }).kind)}`);
}
