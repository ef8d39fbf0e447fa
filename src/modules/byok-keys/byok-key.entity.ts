import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ProviderId } from '../../providers/types';
import { OrganizationEntity } from '../organizations/organization.entity';
import { UserEntity } from '../users/user.entity';
import { KeyStatus } from './key-status';

/**
 * A stored provider key. Exactly one owner: a user (personal key, organization_id null) or an
 * organization. One key per provider per owner, enforced by the two partial unique indexes.
 * The secret is envelope-encrypted (see crypto/envelope.ts); this entity is never a GraphQL type.
 */
@Entity('byok_keys')
@Check('byok_keys_one_owner', '("user_id" IS NULL) <> ("organization_id" IS NULL)')
@Index('byok_keys_personal_provider_key', ['userId', 'provider'], { unique: true, where: '"organization_id" IS NULL' })
@Index('byok_keys_org_provider_key', ['organizationId', 'provider'], { unique: true, where: '"organization_id" IS NOT NULL' })
@Index('byok_keys_status_idx', ['status', 'lastValidatedAt'])
export class ByokKeyEntity {
  /** Assigned before encryption: the ciphertext's associated data binds to it. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  provider!: ProviderId;

  @Column({ type: 'enum', enum: KeyStatus, enumName: 'key_status', default: KeyStatus.PENDING })
  status!: KeyStatus;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Masked, computed at write time: `sk-…f3a9`, `AKIA…WXYZ (us-east-1)`. */
  @Column({ type: 'varchar', length: 80 })
  hint!: string;

  /** Bumped on every secret replacement; validation results for an older version are discarded. */
  @Column({ name: 'secret_version', type: 'int', default: 1 })
  secretVersion!: number;

  @Column({ name: 'master_key_id', type: 'varchar', length: 32 })
  masterKeyId!: string;

  @Column({ name: 'wrapped_key', type: 'bytea' })
  wrappedKey!: Buffer;

  @Column({ name: 'secret_iv', type: 'bytea' })
  secretIv!: Buffer;

  @Column({ name: 'secret_ciphertext', type: 'bytea' })
  secretCiphertext!: Buffer;

  @Column({ name: 'secret_tag', type: 'bytea' })
  secretTag!: Buffer;

  @Column({ name: 'last_validated_at', type: 'timestamptz', nullable: true })
  lastValidatedAt!: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;
}
