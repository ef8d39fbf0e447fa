import { randomBytes } from 'node:crypto';

/** Length of every master key: AES-256 needs exactly 32 bytes. */
export const MASTER_KEY_BYTES = 32;

/** Master key ids are stored on every encrypted row, so they stay short and boring. */
export const MASTER_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** One key-encryption key from `ENCRYPTION_KEYS`. */
export interface MasterKey {
  /** Recorded on each row it wraps, so rotation knows which key to unwrap with. */
  readonly id: string;
  /** 32 raw bytes. */
  readonly key: Buffer;
}

// Standard or URL-safe alphabet, optional padding. Buffer.from(…, 'base64') silently skips
// characters outside the alphabet, so without this check a typo would shorten the key and
// only surface as a confusing length error.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Parses `ENCRYPTION_KEYS` (`id:base64,id:base64`); the first entry is the active key.
 *
 * Error messages name the entry by position and (valid) id, never the key material: boot
 * errors end up in logs and on consoles.
 *
 * @throws Error when the value is empty, an entry is malformed, a key is not 32 bytes of
 *   base64, or an id is invalid or repeated.
 */
export function parseMasterKeys(value: string): MasterKey[] {
  if (value.trim() === '') {
    throw new Error('ENCRYPTION_KEYS is empty: expected "id:base64[,id:base64…]"');
  }
  const keys: MasterKey[] = [];
  const seen = new Set<string>();
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const position = `ENCRYPTION_KEYS entry ${index + 1}`;
    if (entry === '') {
      throw new Error(`${position} is empty (stray comma?)`);
    }
    const colon = entry.indexOf(':');
    if (colon < 0) {
      throw new Error(`${position}: expected "id:base64", found no ":"`);
    }
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!MASTER_KEY_ID_PATTERN.test(id)) {
      // The id is not echoed: an entry written the wrong way round would put key material here.
      throw new Error(
        `${position}: id must match ${MASTER_KEY_ID_PATTERN.source} (got ${id.length} characters)`,
      );
    }
    const label = `${position} ("${id}")`;
    if (seen.has(id)) {
      throw new Error(`${label}: duplicate id; each master key id must be unique`);
    }
    if (material === '') {
      throw new Error(`${label}: key is missing after ":"`);
    }
    if (!BASE64.test(material) || material.replace(/=+$/, '').length % 4 === 1) {
      throw new Error(`${label}: key is not valid base64`);
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== MASTER_KEY_BYTES) {
      throw new Error(
        `${label}: key must be ${MASTER_KEY_BYTES} bytes of base64, got ${key.length}`,
      );
    }
    seen.add(id);
    keys.push({ id, key });
  });
  return keys;
}

/**
 * Generates a fresh master key entry in `ENCRYPTION_KEYS` form (`id:base64`), for the
 * development bootstrap and the operator's rotation procedure.
 *
 * @throws Error when `id` is not a valid master key id.
 */
export function generateMasterKey(id: string): string {
  if (!MASTER_KEY_ID_PATTERN.test(id)) {
    throw new Error(`master key id must match ${MASTER_KEY_ID_PATTERN.source}`);
  }
  return `${id}:${randomBytes(MASTER_KEY_BYTES).toString('base64')}`;
}
