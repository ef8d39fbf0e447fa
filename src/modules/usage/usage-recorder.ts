import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { RedisPubSub } from '../../infra/pubsub';
import type { Logger } from '../../infra/logger';
import type { Metrics } from '../../infra/metrics';
import { UsageRecordEntity } from './usage-record.entity';
import { USAGE_TOPIC, type UsageRecordInput, type UsageRecordedEvent } from './usage-record';

/** A direct write that takes longer than this goes to the durable queue instead. */
const DIRECT_WRITE_TIMEOUT_MS = 3000;

/**
 * Writes usage records so that none is lost and none is written twice: a direct insert first;
 * if Postgres does not answer, the record goes to a Redis-backed BullMQ queue (job id = request
 * id) whose worker retries until it lands. The unique request_id makes every path idempotent.
 * `record()` never throws and never makes the caller wait.
 */
export class UsageRecorder {
  constructor(
    private readonly db: DataSource,
    private readonly queue: Queue<UsageRecordInput>,
    private readonly pubsub: RedisPubSub,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Fire and forget: the returned promise is for tests and shutdown, and never rejects. */
  record(input: UsageRecordInput): Promise<'written' | 'queued' | 'lost'> {
    return this.write(input);
  }

  private async write(input: UsageRecordInput): Promise<'written' | 'queued' | 'lost'> {
    try {
      await withTimeout(insertUsage(this.db, input), DIRECT_WRITE_TIMEOUT_MS);
      this.metrics.usageRecords.inc({ outcome: 'written' });
      await this.announce(input);
      return 'written';
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, requestId: input.requestId }, 'usage write failed; queueing it for retry');
    }
    try {
      await this.queue.add('usage', input, { jobId: input.requestId });
      this.metrics.usageRecords.inc({ outcome: 'retried' });
      return 'queued';
    } catch (err) {
      this.metrics.usageRecords.inc({ outcome: 'failed' });
      // Last resort: the whole record (ids and numbers, no secrets) in the log, for recovery.
      this.logger.error({ err: (err as Error).message, usageRecord: input }, 'usage record could not be written or queued');
      return 'lost';
    }
  }

  /** The durable queue's worker: insert (idempotent), then announce. Throws to retry. */
  async retry(input: UsageRecordInput): Promise<void> {
    await insertUsage(this.db, input);
    this.metrics.usageRecords.inc({ outcome: 'written' });
    await this.announce(input);
  }

  private async announce(input: UsageRecordInput): Promise<void> {
    const event: UsageRecordedEvent = { requestId: input.requestId, userId: input.userId, organizationId: input.organizationId };
    await this.pubsub.publish(USAGE_TOPIC, event).catch(() => undefined);
  }
}

/** INSERT … ON CONFLICT (request_id) DO NOTHING: a retried record lands exactly once. */
export async function insertUsage(db: DataSource, r: UsageRecordInput): Promise<void> {
  await db
    .createQueryBuilder()
    .insert()
    .into(UsageRecordEntity)
    .values({
      requestId: r.requestId,
      userId: r.userId,
      organizationId: r.organizationId,
      provider: r.provider,
      keySource: r.keySource,
      keyId: r.keyId,
      model: r.model,
      upstreamModel: r.upstreamModel,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      cachedInputTokens: r.cachedInputTokens,
      reasoningTokens: r.reasoningTokens,
      usageEstimated: r.usageEstimated,
      costMicroUsd: r.costMicroUsd === null ? null : String(r.costMicroUsd),
      status: r.status,
      errorCode: r.errorCode,
      timeToFirstTokenMs: r.timeToFirstTokenMs,
      durationMs: r.durationMs,
      createdAt: new Date(r.createdAt),
    })
    .orIgnore()
    .execute();
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
