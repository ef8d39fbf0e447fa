import { secretForms } from '../../src/crypto/secret-forms';

/**
 * Every fixture secret (as text, base64, base64url or hex) that appears in `haystack`, named by
 * where it starts, so a failure says which secret leaked without printing the haystack.
 */
export function leakedSecrets(haystack: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    for (const form of secretForms(s)) {
      const at = haystack.indexOf(form);
      if (at >= 0) found.push(`${s.slice(0, 12)}… as ${form === s ? 'text' : 'encoded'} near: ${haystack.slice(Math.max(0, at - 60), at)}`);
    }
  }
  return found;
}
