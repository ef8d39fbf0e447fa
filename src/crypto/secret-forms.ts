/**
 * The encodings a secret is likely to leak in: as text, base64 (padded and unpadded),
 * base64url, and hex in both cases. Tests search raw database rows, logs and responses for
 * every form; {@link redactSecrets} scrubs them. Deduplicated, longest first, so replacing
 * in order never leaves a tail of a longer form behind.
 *
 * Only aligned encodings are covered: the base64 of a larger blob that merely contains the
 * secret encodes it differently.
 */
export function secretForms(secret: string): string[] {
  if (secret === '') return [];
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  const hex = bytes.toString('hex');
  const forms = [
    secret,
    base64,
    // The unpadded form also matches padded occurrences split across a boundary.
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    hex,
    hex.toUpperCase(),
  ];
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}
