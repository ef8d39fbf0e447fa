import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ProviderId } from '../../providers/types';
import type { ByokKeyEntity } from './byok-key.entity';
import { KeyStatus } from './key-status';

registerEnumType(KeyStatus, { name: 'KeyStatus' });

/**
 * A stored key as the API shows it: metadata and the masked hint, never the secret. Built from
 * the entity field by field, so no ciphertext column can leak through a stray decorator.
 */
@ObjectType('ByokKey', { simpleResolvers: true })
export class ByokKeyType {
  @Field(() => ID)
  id!: string;

  providerId!: ProviderId;
  organizationId!: string | null;
  userId!: string | null;
  createdById!: string;

  @Field()
  hint!: string;

  @Field()
  enabled!: boolean;

  @Field(() => KeyStatus)
  status!: KeyStatus;

  @Field(() => Date, { nullable: true })
  lastValidatedAt!: Date | null;

  /** Why the last validation failed, never containing the secret. */
  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  static from(e: ByokKeyEntity): ByokKeyType {
    return Object.assign(new ByokKeyType(), {
      id: e.id,
      providerId: e.provider,
      organizationId: e.organizationId,
      userId: e.userId,
      createdById: e.createdBy,
      hint: e.hint,
      enabled: e.enabled,
      status: e.status,
      lastValidatedAt: e.lastValidatedAt,
      lastError: e.lastError,
      lastUsedAt: e.lastUsedAt,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}
