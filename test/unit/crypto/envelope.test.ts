import { randomBytes } from 'node:crypto';
import type { EncryptedSecret } from '../../../src/crypto/envelope';
import { DecryptionError, Keyring, secretAad } from '../../../src/crypto/envelope';
import type { MasterKey } from '../../../src/crypto/master-keys';
import { secretForms } from '../../../src/crypto/secret-forms';

const k1: MasterKey = { id: 'k1', key: randomBytes(32) };
const k2: MasterKey = { id: 'k2', key: randomBytes(32) };

const PLAINTEXT = 'sk-proj-Abc123XyZ_9876543210-qwertyuiopASDFGHJKLzxcvbnm-f3a9';

const aadA = secretAad({ keyId: 'key-a', ownerType: 'user', ownerId: 'u1', provider: 'OPENAI' });
const aadB = secretAad({ keyId: 'key-b', ownerType: 'user', ownerId: 'u1', provider: 'OPENAI' });

/** A copy with one byte of one buffer flipped. */
function flip(secret: EncryptedSecret, field: 'wrappedKey' | 'iv' | 'ciphertext' | 'tag', at = 0): EncryptedSecret {
  const copy = Buffer.from(secret[field]);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return { ...secret, [field]: copy };
}

function expectDecryptionError(fn: () => unknown, reason: DecryptionError['reason']): DecryptionError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DecryptionError);
  const error = caught as DecryptionError;
  expect(error.reason).toBe(reason);
  expect(error.message).not.toContain(PLAINTEXT);
  for (const key of [k1, k2]) {
    expect(error.message).not.toContain(key.key.toString('base64'));
    expect(error.message).not.toContain(key.key.toString('hex'));
  }
  return error;
}

describe('Keyring', () => {
  const keyring = new Keyring([k1, k2]);

  it('round-trips a secret and records the active master key', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    expect(secret.masterKeyId).toBe('k1');
    expect(keyring.activeKeyId).toBe('k1');
    expect(secret.iv).toHaveLength(12);
    expect(secret.tag).toHaveLength(16);
    expect(secret.wrappedKey).toHaveLength(60);
    expect(keyring.decrypt(secret, aadA)).toBe(PLAINTEXT);
  });

  it('round-trips empty and non-ASCII plaintext', () => {
    for (const text of ['', 'ключ-🔑-é']) {
      expect(keyring.decrypt(keyring.encrypt(text, aadA), aadA)).toBe(text);
    }
  });

  it('produces different ciphertext, iv and wrapped key each time', () => {
    const a = keyring.encrypt(PLAINTEXT, aadA);
    const b = keyring.encrypt(PLAINTEXT, aadA);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
  });

  it('fails when the ciphertext is moved to another row', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    expectDecryptionError(() => keyring.decrypt(secret, aadB), 'authentication_failed');
    for (const other of [
      { keyId: 'key-a', ownerType: 'organization' as const, ownerId: 'u1', provider: 'OPENAI' },
      { keyId: 'key-a', ownerType: 'user' as const, ownerId: 'u2', provider: 'OPENAI' },
      { keyId: 'key-a', ownerType: 'user' as const, ownerId: 'u1', provider: 'XAI' },
    ]) {
      expectDecryptionError(() => keyring.decrypt(secret, secretAad(other)), 'authentication_failed');
    }
  });

  it('fails when a wrapped key is spliced onto another secret', () => {
    const a = keyring.encrypt(PLAINTEXT, aadA);
    const b = keyring.encrypt('another secret', aadA);
    expectDecryptionError(
      () => keyring.decrypt({ ...a, wrappedKey: b.wrappedKey }, aadA),
      'authentication_failed',
    );
  });

  it.each([
    ['tag', 0],
    ['tag', 15],
    ['iv', 0],
    ['iv', 11],
    ['ciphertext', 0],
    ['ciphertext', 20],
    ['wrappedKey', 0], // wrap iv
    ['wrappedKey', 20], // sealed data key
    ['wrappedKey', 59], // wrap tag
  ] as const)('fails when %s byte %i is tampered with', (field, at) => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    expectDecryptionError(() => keyring.decrypt(flip(secret, field, at), aadA), 'authentication_failed');
  });

  it('fails on truncated buffers', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    expectDecryptionError(
      () => keyring.decrypt({ ...secret, tag: secret.tag.subarray(0, 12) }, aadA),
      'malformed',
    );
    expectDecryptionError(
      () => keyring.decrypt({ ...secret, wrappedKey: secret.wrappedKey.subarray(1) }, aadA),
      'malformed',
    );
    expectDecryptionError(
      () => keyring.decrypt({ ...secret, ciphertext: secret.ciphertext.subarray(1) }, aadA),
      'authentication_failed',
    );
  });

  it('fails on an unknown master key id, naming it', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    const error = expectDecryptionError(
      () => keyring.decrypt({ ...secret, masterKeyId: 'k9' }, aadA),
      'unknown_master_key',
    );
    expect(error.message).toBe('secret could not be decrypted (master key k9): unknown master key');
    expect(error.masterKeyId).toBe('k9');
  });

  it('fails when the master key id is swapped for another known key', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    const error = expectDecryptionError(
      () => keyring.decrypt({ ...secret, masterKeyId: 'k2' }, aadA),
      'authentication_failed',
    );
    expect(error.message).toBe('secret could not be decrypted (master key k2): authentication failed');
  });

  it('does not echo a master key id that is not an id', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    const error = expectDecryptionError(
      () => keyring.decrypt({ ...secret, masterKeyId: PLAINTEXT }, aadA),
      'unknown_master_key',
    );
    expect(error.message).toContain('(invalid id)');
  });

  it('fails with a same-id master key of different material', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    const impostor = new Keyring([{ id: 'k1', key: randomBytes(32) }]);
    expectDecryptionError(() => impostor.decrypt(secret, aadA), 'authentication_failed');
  });

  it('rewraps to a new active key; the old key can then be dropped', () => {
    const old = new Keyring([k1]);
    const secret = old.encrypt(PLAINTEXT, aadA);

    const rotating = new Keyring([k2, k1]);
    expect(rotating.decrypt(secret, aadA)).toBe(PLAINTEXT);
    const rewrapped = rotating.rewrap(secret);
    expect(rewrapped.masterKeyId).toBe('k2');
    expect(rewrapped.ciphertext.equals(secret.ciphertext)).toBe(true);
    expect(rewrapped.iv.equals(secret.iv)).toBe(true);
    expect(rewrapped.tag.equals(secret.tag)).toBe(true);
    expect(rewrapped.wrappedKey.equals(secret.wrappedKey)).toBe(false);

    const rotated = new Keyring([k2]);
    expect(rotated.has('k1')).toBe(false);
    expect(rotated.decrypt(rewrapped, aadA)).toBe(PLAINTEXT);
    expectDecryptionError(() => rotated.decrypt(secret, aadA), 'unknown_master_key');
  });

  it('rewrap with aad verifies the secret belongs to the row', () => {
    const rotating = new Keyring([k2, k1]);
    const secret = new Keyring([k1]).encrypt(PLAINTEXT, aadA);
    expect(rotating.decrypt(rotating.rewrap(secret, aadA), aadA)).toBe(PLAINTEXT);
    expectDecryptionError(() => rotating.rewrap(secret, aadB), 'authentication_failed');
    expectDecryptionError(() => rotating.rewrap(flip(secret, 'wrappedKey', 30)), 'authentication_failed');
  });

  it('rewrap under the same active key is harmless', () => {
    const secret = keyring.encrypt(PLAINTEXT, aadA);
    expect(keyring.decrypt(keyring.rewrap(secret), aadA)).toBe(PLAINTEXT);
  });

  it('never contains the plaintext in any form', () => {
    for (let i = 0; i < 20; i++) {
      const secret = keyring.encrypt(PLAINTEXT, aadA);
      const all = Buffer.concat([
        Buffer.from(secret.masterKeyId),
        secret.wrappedKey,
        secret.iv,
        secret.ciphertext,
        secret.tag,
      ]);
      const renderings = [
        all.toString('hex'),
        all.toString('hex').toUpperCase(),
        all.toString('base64'),
        all.toString('base64url'),
        all.toString('utf8'),
        all.toString('latin1'),
        JSON.stringify(secret),
      ];
      for (const rendering of renderings) {
        for (const form of secretForms(PLAINTEXT)) {
          expect(rendering).not.toContain(form);
        }
      }
    }
  });

  it('does not depend on the caller keeping the master key buffer intact', () => {
    const key = Buffer.from(k1.key);
    const ring = new Keyring([{ id: 'k1', key }]);
    const secret = ring.encrypt(PLAINTEXT, aadA);
    key.fill(0);
    expect(ring.decrypt(secret, aadA)).toBe(PLAINTEXT);
  });

  it('rejects invalid keyrings', () => {
    expect(() => new Keyring([])).toThrow('at least one master key');
    expect(() => new Keyring([k1, { id: 'k1', key: randomBytes(32) }])).toThrow('duplicate');
    expect(() => new Keyring([{ id: 'k1', key: randomBytes(16) }])).toThrow('32 bytes');
    expect(() => new Keyring([{ id: 'bad id', key: randomBytes(32) }])).toThrow('invalid');
  });
});

describe('secretAad', () => {
  it('is canonical and distinguishes every part', () => {
    const base = { keyId: 'k', ownerType: 'user' as const, ownerId: 'o', provider: 'OPENAI' };
    expect(secretAad(base)).toBe(secretAad({ ...base }));
    const variants = [
      secretAad(base),
      secretAad({ ...base, keyId: 'k2' }),
      secretAad({ ...base, ownerType: 'organization' }),
      secretAad({ ...base, ownerId: 'o2' }),
      secretAad({ ...base, provider: 'XAI' }),
      // Shifting a separator between parts must not collide.
      secretAad({ ...base, keyId: 'k","user', ownerId: 'o' }),
    ];
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('rejects empty parts', () => {
    expect(() => secretAad({ keyId: '', ownerType: 'user', ownerId: 'o', provider: 'OPENAI' })).toThrow(
      'keyId',
    );
  });
});
