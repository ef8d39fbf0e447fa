import { badInput } from './app-error';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A trimmed, non-empty, printable name of at most `max` characters. */
export function requireName(value: string, field: string, max: number): string {
  const v = value.trim();
  if (v.length === 0) throw badInput(`${field} must not be empty`, field);
  if (v.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  if (/[\u0000-\u001f\u007f]/.test(v)) throw badInput(`${field} must not contain control characters`, field);
  return v;
}

/** Ids are UUIDs; anything else is BAD_USER_INPUT rather than a database cast error. */
export function requireId(value: string, field: string): string {
  if (!UUID_RE.test(value)) throw badInput(`${field} is not a valid id`, field);
  return value.toLowerCase();
}

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** A syntactically valid email, lower-cased. Deliberately simple: one @, a dot in the domain. */
export function requireEmail(value: string, field = 'email'): string {
  const v = value.trim().toLowerCase();
  if (v.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
    throw badInput(`${field} is not a valid email address`, field);
  }
  return v;
}
