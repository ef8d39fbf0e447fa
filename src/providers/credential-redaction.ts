/**
 * Scrubbing the exact credential that was sent out of upstream text (issue 11, finding 5).
 * The pattern redaction in errors.ts only catches what looks like a key; a key without digits,
 * or with `$` separators, came back whole in a 400 body. Everything an upstream says passes
 * through here first, with the secret of the call at hand, before it can reach an error, a log
 * line or a validation row.
 */
import { redactSecrets } from '../crypto/redaction';
import type { Credential } from './types';

/**
 * The parts of a credential that must never be repeated: the API key; for AWS the secret access
 * key and session token, and the access key id too (not secret, but no upstream text needs it
 * whole: users see it as a hint).
 */
export function credentialSecrets(credential: Credential): string[] {
  if (credential.kind === 'api_key') return [credential.apiKey];
  return [credential.secretAccessKey, credential.accessKeyId, ...(credential.sessionToken ? [credential.sessionToken] : [])];
}

/** `text` with every form of the credential's secrets replaced (see redactSecrets). */
export function redactCredential(text: string, credential: Credential): string {
  return redactSecrets(text, credentialSecrets(credential));
}

/**
 * An upstream body with the credential removed, in the raw text and inside every JSON string
 * (a body may spell the key with `\u0024` escapes that only decoding reveals). The result is
 * still the same JSON shape, so error mapping and classifiers read it as before.
 */
export function redactUpstreamBody(body: string, credential: Credential): string {
  const secrets = credentialSecrets(credential);
  const text = redactSecrets(body, secrets);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof parsed !== 'object' || parsed === null) return text;
  return JSON.stringify(redactStrings(parsed, secrets));
}

function redactStrings(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, secrets));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactSecrets(k, secrets)] = redactStrings(v, secrets);
    return out;
  }
  return value;
}
