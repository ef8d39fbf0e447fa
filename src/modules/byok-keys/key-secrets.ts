import { secretAad, type Keyring } from '../../crypto/envelope';
import type { Credential } from '../../providers/types';
import type { ByokKeyEntity } from './byok-key.entity';

type OwnerParts = Pick<ByokKeyEntity, 'id' | 'userId' | 'organizationId' | 'provider'>;
type SecretColumns = Pick<ByokKeyEntity, 'masterKeyId' | 'wrappedKey' | 'secretIv' | 'secretCiphertext' | 'secretTag'>;

/** The associated data that binds a ciphertext to its row (id, owner, provider). */
export function rowAad(row: OwnerParts): string {
  return secretAad({
    keyId: row.id,
    ownerType: row.organizationId ? 'organization' : 'user',
    ownerId: (row.organizationId ?? row.userId)!,
    provider: row.provider,
  });
}

/** Encrypts a credential for its row; the plaintext is a small JSON document. */
export function sealCredential(keyring: Keyring, row: OwnerParts, credential: Credential): SecretColumns {
  const s = keyring.encrypt(JSON.stringify(credential), rowAad(row));
  return { masterKeyId: s.masterKeyId, wrappedKey: s.wrappedKey, secretIv: s.iv, secretCiphertext: s.ciphertext, secretTag: s.tag };
}

/** Decrypts a row's credential. Call only at the moment of an upstream call. */
export function openCredential(keyring: Keyring, row: OwnerParts & SecretColumns): Credential {
  const json = keyring.decrypt(
    { masterKeyId: row.masterKeyId, wrappedKey: row.wrappedKey, iv: row.secretIv, ciphertext: row.secretCiphertext, tag: row.secretTag },
    rowAad(row),
  );
  return JSON.parse(json) as Credential;
}

/** Re-wraps a row's data key under the keyring's active master key (ciphertext unchanged). */
export function rewrapRow(keyring: Keyring, row: OwnerParts & SecretColumns): SecretColumns {
  const s = keyring.rewrap(
    { masterKeyId: row.masterKeyId, wrappedKey: row.wrappedKey, iv: row.secretIv, ciphertext: row.secretCiphertext, tag: row.secretTag },
    rowAad(row),
  );
  return { masterKeyId: s.masterKeyId, wrappedKey: s.wrappedKey, secretIv: s.iv, secretCiphertext: s.ciphertext, secretTag: s.tag };
}
