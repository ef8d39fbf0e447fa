import { Field, ID, ObjectType } from 'type-graphql';
import { ProviderId } from '../../providers/types';
import { connectionTypes } from '../../server/pagination';
import type { AuditEventEntity } from './audit-event.entity';

@ObjectType('AuditEvent', { simpleResolvers: true })
export class AuditEventType {
  @Field(() => ID)
  id!: string;

  /**
   * e.g. byok_key.created, byok_key.updated, byok_key.enabled, byok_key.disabled, byok_key.deleted,
   * byok_key.validated, byok_key.invalidated, organization.created, organization.member_added,
   * organization.member_removed, organization.role_changed, api_token.created, api_token.revoked
   */
  @Field()
  action!: string;

  actorId!: string | null;
  organizationId!: string | null;

  @Field(() => ID, { nullable: true })
  targetId!: string | null;

  @Field(() => ProviderId, { nullable: true })
  provider!: ProviderId | null;

  /** Human readable; never contains a secret. */
  @Field(() => String, { nullable: true })
  detail!: string | null;

  @Field()
  createdAt!: Date;

  static from(e: AuditEventEntity): AuditEventType {
    return Object.assign(new AuditEventType(), {
      id: e.id,
      action: e.action,
      actorId: e.actorId,
      organizationId: e.organizationId,
      targetId: e.targetId,
      provider: (e.provider as ProviderId | null) ?? null,
      detail: e.detail,
      createdAt: e.createdAt,
    });
  }
}

export const { ConnectionType: AuditEventConnection } = connectionTypes('AuditEvent', AuditEventType);
