import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { UsageRecordInput } from './usage-record';

/**
 * Usage records Postgres refused for what they hold (a value too long, out of range, of the
 * wrong shape), kept whole with the error so an operator can see, fix and replay them. Retrying
 * such a record can never succeed: before this table it was retried for days and held up the
 * records batched with it. One row per request (a record refused twice is kept once).
 */
@Entity('usage_dead_letters')
@Index('usage_dead_letters_request_id_key', ['requestId'], { unique: true })
export class UsageDeadLetterEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** Text, not uuid: a record is kept even when its request id is what the database refused. */
  @Column({ name: 'request_id', type: 'varchar', length: 100 })
  requestId!: string;

  /** The record as the recorder had it: ids and numbers only, never a secret. */
  @Column({ type: 'jsonb' })
  record!: UsageRecordInput;

  /** Postgres' SQLSTATE (`22001` string too long…), null if it gave none. */
  @Column({ name: 'error_code', type: 'varchar', length: 5, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'varchar', length: 1000 })
  error!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
