import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'byok_';
/** Visible part kept in the database so a user can tell tokens apart (`byok_3Fq9xK2a`). */
const VISIBLE_LENGTH = TOKEN_PREFIX.length + 8;

export interface NewToken {
  /** The full token: shown once, never stored. */
  token: string;
  prefix: string;
  hash: string;
}

/** A random API token (256 bits), its visible prefix and the hash we store. */
export function generateToken(): NewToken {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, prefix: token.slice(0, VISIBLE_LENGTH), hash: hashToken(token) };
}

/** SHA-256 is enough: tokens are high-entropy random strings, not passwords. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Extracts the token from `Bearer <token>`; undefined when the header is absent or malformed. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** Constant-time comparison of two secrets (a differing length returns at once: lengths are not secret). */
export function sameSecret(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
