import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ValidationOutcome, type ValidationTrigger } from './validation-outcome';

/**
 * The audit row of one validation job, updated at every transition. No foreign key: the row
 * outlives the key. The owner columns keep it visible to the key's owner after deletion.
 */
@Entity('validation_jobs')
@Index('validation_jobs_key_idx', ['keyId', 'queuedAt'])
export class ValidationJobEntity {
  /** The BullMQ job id. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id!: string;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ name: 'secret_version', type: 'int' })
  secretVersion!: number;

  @Column({ type: 'varchar', length: 32 })
  trigger!: ValidationTrigger;

  @Column({ type: 'enum', enum: ValidationOutcome, enumName: 'validation_outcome', default: ValidationOutcome.QUEUED })
  outcome!: ValidationOutcome;

  /** Attempts started, counted by the worker (a crashed attempt counts too). */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'http_status', type: 'int', nullable: true })
  httpStatus!: number | null;

  /** Short, never the secret or a URL carrying it. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ name: 'queued_at', type: 'timestamptz', default: () => 'now()' })
  queuedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'duration_ms', type: 'int', nullable: true })
  durationMs!: number | null;
}
