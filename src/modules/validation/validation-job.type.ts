import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ProviderId } from '../../providers/types';
import { connectionTypes } from '../../server/pagination';
import type { ValidationJobEntity } from './validation-job.entity';
import { ValidationOutcome } from './validation-outcome';

registerEnumType(ValidationOutcome, { name: 'ValidationOutcome' });

@ObjectType('ValidationJob', { simpleResolvers: true })
export class ValidationJobType {
  /** The queue job id. */
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  keyId!: string;

  @Field(() => ProviderId)
  provider!: ProviderId;

  /** created | updated | manual | scheduled | reconcile | rejected-in-use */
  @Field()
  trigger!: string;

  @Field(() => ValidationOutcome)
  outcome!: ValidationOutcome;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  httpStatus!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  /** Which secret version this job validated (a newer one makes its result DISCARDED). */
  @Field(() => Int)
  secretVersion!: number;

  @Field()
  queuedAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  durationMs!: number | null;

  static from(e: ValidationJobEntity): ValidationJobType {
    return Object.assign(new ValidationJobType(), {
      id: e.id,
      keyId: e.keyId,
      provider: e.provider as ProviderId,
      trigger: e.trigger,
      outcome: e.outcome,
      attempts: e.attempts,
      httpStatus: e.httpStatus,
      error: e.error,
      secretVersion: e.secretVersion,
      queuedAt: e.queuedAt,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
      durationMs: e.durationMs,
    });
  }
}

export const { ConnectionType: ValidationJobConnection } = connectionTypes('ValidationJob', ValidationJobType);
