import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from './master-keys';
import { MASTER_KEY_BYTES, MASTER_KEY_ID_PATTERN } from './master-keys';

const ALGORITHM = 'aes-256-gcm';
const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** iv(12) | encrypted data key(32) | tag(16). */
const WRAPPED_KEY_BYTES = IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;

/**
 * One envelope-encrypted secret, as stored on its row. All buffers are opaque; only
 * {@link Keyring} reads them.
 */
export interface EncryptedSecret {
  /** Id of the master key that wrapped `wrappedKey`. */
  masterKeyId: string;
  /** The per-secret data key, sealed by the master key: iv(12) | ct(32) | tag(16). */
  wrappedKey: Buffer;
  /** IV of the secret's own AES-256-GCM encryption (12 bytes). */
  iv: Buffer;
  ciphertext: Buffer;
  /** GCM tag of the secret's own encryption (16 bytes). */
  tag: Buffer;
}

/** Why a secret could not be decrypted; safe to log and to branch on. */
export type DecryptionFailure = 'unknown_master_key' | 'malformed' | 'authentication_failed';

/**
 * A stored secret could not be decrypted: wrong row (associated data), tampering, or a
 * master key this process does not hold. The message names only the master key id and the
 * reason, never key material or plaintext.
 */
export class DecryptionError extends Error {
  constructor(
    /** Master key id as recorded on the row (replaced by a placeholder if not a valid id). */
    readonly masterKeyId: string,
    readonly reason: DecryptionFailure,
  ) {
    super(`secret could not be decrypted (master key ${masterKeyId}): ${REASON_TEXT[reason]}`);
    this.name = 'DecryptionError';
  }
}

const REASON_TEXT: Record<DecryptionFailure, string> = {
  unknown_master_key: 'unknown master key',
  malformed: 'malformed envelope',
  authentication_failed: 'authentication failed',
};

/**
 * Canonical associated data binding a ciphertext to its row, so a ciphertext copied onto
 * another key, owner or provider fails to decrypt. A JSON array keeps the encoding
 * unambiguous whatever characters the parts contain; the version tag leaves room to change it.
 *
 * @throws Error when a part is empty: binding to an empty id would bind to nothing.
 */
export function secretAad(parts: {
  keyId: string;
  ownerType: 'user' | 'organization';
  ownerId: string;
  provider: string;
}): string {
  const { keyId, ownerType, ownerId, provider } = parts;
  for (const [name, part] of Object.entries({ keyId, ownerType, ownerId, provider })) {
    if (part === '') throw new Error(`secretAad: ${name} must not be empty`);
  }
  return JSON.stringify(['byok-key/v1', keyId, ownerType, ownerId, provider]);
}

/**
 * Holds the master keys and performs envelope encryption: a fresh 32-byte data key per
 * secret encrypts it with AES-256-GCM (the row's associated data authenticated alongside);
 * the data key is itself sealed with AES-256-GCM under the active master key.
 *
 * The wrap's associated data is the master key id plus the secret's own IV and tag. The tag
 * already authenticates the row's associated data, so the wrapped key is bound to this exact
 * ciphertext (and through it to the row), cannot be spliced onto another secret, and can be
 * re-wrapped during rotation without knowing the row.
 */
export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  private readonly activeId: string;

  /**
   * @param keys master keys, the first being the active one (as `parseMasterKeys` returns).
   * @throws Error when the list is empty, an id is invalid or repeated, or a key is not 32 bytes.
   */
  constructor(keys: readonly MasterKey[]) {
    const first = keys[0];
    if (first === undefined) throw new Error('Keyring needs at least one master key');
    for (const { id, key } of keys) {
      if (!MASTER_KEY_ID_PATTERN.test(id)) throw new Error('Keyring: invalid master key id');
      if (this.keys.has(id)) throw new Error(`Keyring: duplicate master key id "${id}"`);
      if (key.length !== MASTER_KEY_BYTES) {
        throw new Error(`Keyring: master key "${id}" must be ${MASTER_KEY_BYTES} bytes`);
      }
      // A private copy: the caller's buffer may be reused or zeroed.
      this.keys.set(id, Buffer.from(key));
    }
    this.activeId = first.id;
  }

  /** Id of the key new secrets (and re-wraps) are sealed with. */
  get activeKeyId(): string {
    return this.activeId;
  }

  /** Whether this keyring can unwrap secrets recorded with `id`. */
  has(id: string): boolean {
    return this.keys.has(id);
  }

  /** Encrypts `plaintext` under a fresh data key, bound to `aad` (see {@link secretAad}). */
  encrypt(plaintext: string, aad: string): EncryptedSecret {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const plainBytes = Buffer.from(plaintext, 'utf8');
    try {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plainBytes), cipher.final()]);
      const tag = cipher.getAuthTag();
      const masterKeyId = this.activeId;
      return {
        masterKeyId,
        wrappedKey: this.wrap(dataKey, masterKeyId, iv, tag),
        iv,
        ciphertext,
        tag,
      };
    } finally {
      dataKey.fill(0);
      plainBytes.fill(0);
    }
  }

  /**
   * Decrypts a secret stored with associated data `aad`.
   *
   * @throws DecryptionError on a wrong `aad`, any tampered buffer, or an unknown master key.
   */
  decrypt(secret: EncryptedSecret, aad: string): string {
    const dataKey = this.unwrap(secret);
    try {
      const plainBytes = this.open(secret, dataKey, aad);
      const plaintext = plainBytes.toString('utf8');
      plainBytes.fill(0);
      return plaintext;
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Re-seals the data key under the active master key; iv, ciphertext and tag are unchanged.
   * When `aad` is given the secret is also fully decrypted first, so a row whose ciphertext
   * does not belong to it is reported instead of silently carried forward.
   *
   * @throws DecryptionError when the wrapped key (or, with `aad`, the secret) fails to open.
   */
  rewrap(secret: EncryptedSecret, aad?: string): EncryptedSecret {
    const dataKey = this.unwrap(secret);
    try {
      if (aad !== undefined) this.open(secret, dataKey, aad).fill(0);
      const masterKeyId = this.activeId;
      return {
        masterKeyId,
        wrappedKey: this.wrap(dataKey, masterKeyId, secret.iv, secret.tag),
        iv: Buffer.from(secret.iv),
        ciphertext: Buffer.from(secret.ciphertext),
        tag: Buffer.from(secret.tag),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  private wrap(dataKey: Buffer, masterKeyId: string, iv: Buffer, tag: Buffer): Buffer {
    const master = this.keys.get(masterKeyId);
    if (master === undefined) throw new Error(`Keyring: no master key "${masterKeyId}"`);
    const wrapIv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, master, wrapIv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrapAad(masterKeyId, iv, tag));
    const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([wrapIv, sealed, cipher.getAuthTag()]);
  }

  /** Returns the data key; the caller zeroes it. */
  private unwrap(secret: EncryptedSecret): Buffer {
    const { masterKeyId, wrappedKey, iv, tag } = secret;
    // Ids come from the database: only echo one that looks like an id.
    const shownId = MASTER_KEY_ID_PATTERN.test(masterKeyId) ? masterKeyId : '(invalid id)';
    const master = this.keys.get(masterKeyId);
    if (master === undefined) throw new DecryptionError(shownId, 'unknown_master_key');
    if (
      wrappedKey.length !== WRAPPED_KEY_BYTES ||
      iv.length !== IV_BYTES ||
      tag.length !== TAG_BYTES
    ) {
      throw new DecryptionError(shownId, 'malformed');
    }
    const wrapIv = wrappedKey.subarray(0, IV_BYTES);
    const sealed = wrappedKey.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES);
    const wrapTag = wrappedKey.subarray(IV_BYTES + DATA_KEY_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, master, wrapIv, { authTagLength: TAG_BYTES });
      decipher.setAAD(wrapAad(masterKeyId, iv, tag));
      decipher.setAuthTag(wrapTag);
      const head = decipher.update(sealed);
      const tail = decipher.final();
      const dataKey = Buffer.concat([head, tail]);
      head.fill(0);
      return dataKey;
    } catch {
      // OpenSSL's message adds nothing and is not ours to vouch for; keep only the reason.
      throw new DecryptionError(shownId, 'authentication_failed');
    }
  }

  /** Decrypts the secret's own ciphertext; the caller zeroes the result. */
  private open(secret: EncryptedSecret, dataKey: Buffer, aad: string): Buffer {
    try {
      const decipher = createDecipheriv(ALGORITHM, dataKey, secret.iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(secret.tag);
      const head = decipher.update(secret.ciphertext);
      // GCM releases plaintext before the tag is checked: wipe it if the check fails.
      try {
        return Buffer.concat([head, decipher.final()]);
      } finally {
        head.fill(0);
      }
    } catch {
      throw new DecryptionError(secret.masterKeyId, 'authentication_failed');
    }
  }
}

function wrapAad(masterKeyId: string, iv: Buffer, tag: Buffer): Buffer {
  return Buffer.from(
    JSON.stringify(['byok-data-key/v1', masterKeyId, iv.toString('base64'), tag.toString('base64')]),
    'utf8',
  );
}
