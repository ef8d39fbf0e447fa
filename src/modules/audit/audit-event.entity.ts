import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only audit trail (a trigger in the migration refuses UPDATE and DELETE). No foreign
 * keys: events outlive the keys, users and organizations they mention.
 */
@Entity('audit_events')
@Index('audit_events_org_idx', ['organizationId', 'id'])
@Index('audit_events_owner_idx', ['ownerUserId', 'id'])
export class AuditEventEntity {
  /** Monotonic: the cursor of `auditEvents`. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  /** Null for the system (validation worker). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  /** For personal events: the user whose personal trail this is. */
  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId!: string | null;

  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider!: string | null;

  /** Human readable; never contains a secret. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  detail!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
