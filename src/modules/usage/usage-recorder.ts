import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { RedisPubSub } from '../../infra/pubsub';
import type { Logger } from '../../infra/logger';
import type { Metrics } from '../../infra/metrics';
import { UsageRecordEntity } from './usage-record.entity';
import { USAGE_TOPIC, type UsageRecordInput, type UsageRecordedEvent } from './usage-record';

/** A direct write that takes longer than this goes to the durable queue instead. */
const DIRECT_WRITE_TIMEOUT_MS = 3000;
/** Records arriving within this window share one INSERT (1000 streams ending together: ~10). */
const BATCH_WINDOW_MS = 10;
const MAX_BATCH = 200;

type Outcome = 'written' | 'queued' | 'lost';

/**
 * Writes usage records so that none is lost and none is written twice: batched direct inserts
 * first; if Postgres does not answer, the records go to a Redis-backed BullMQ queue (job id =
 * request id) whose worker retries until they land. The unique request_id makes every path
 * idempotent. `record()` never throws and never makes the caller wait.
 */
export class UsageRecorder {
  private pending: Array<{ input: UsageRecordInput; done: (o: Outcome) => void }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly queue: Queue<UsageRecordInput>,
    private readonly pubsub: RedisPubSub,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Fire and forget: the returned promise is for tests and shutdown, and never rejects. */
  record(input: UsageRecordInput): Promise<Outcome> {
    return new Promise((done) => {
      this.pending.push({ input, done });
      if (this.pending.length >= MAX_BATCH) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WINDOW_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    void this.write(batch.map((b) => b.input)).then((outcomes) => batch.forEach((b, i) => b.done(outcomes[i]!)));
  }

  private async write(inputs: UsageRecordInput[]): Promise<Outcome[]> {
    try {
      await withTimeout(insertUsage(this.db, inputs), DIRECT_WRITE_TIMEOUT_MS);
      this.metrics.usageRecords.inc({ outcome: 'written' }, inputs.length);
      await Promise.all(inputs.map((i) => this.announce(i)));
      return inputs.map(() => 'written');
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, requestIds: inputs.map((i) => i.requestId) },
        'usage write failed; queueing it for retry',
      );
    }
    return Promise.all(inputs.map((i) => this.enqueue(i)));
  }

  private async enqueue(input: UsageRecordInput): Promise<Outcome> {
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
    await insertUsage(this.db, [input]);
    this.metrics.usageRecords.inc({ outcome: 'written' });
    await this.announce(input);
  }

  private async announce(input: UsageRecordInput): Promise<void> {
    const event: UsageRecordedEvent = { requestId: input.requestId, userId: input.userId, organizationId: input.organizationId };
    await this.pubsub.publish(USAGE_TOPIC, event).catch(() => undefined);
  }
}

/** INSERT … ON CONFLICT (request_id) DO NOTHING: a retried record lands exactly once. */
export async function insertUsage(db: DataSource, records: UsageRecordInput | UsageRecordInput[]): Promise<void> {
  const list = Array.isArray(records) ? records : [records];
  if (list.length === 0) return;
  await db
    .createQueryBuilder()
    .insert()
    .into(UsageRecordEntity)
    .values(list.map(toRow))
    .orIgnore()
    .execute();
}

function toRow(r: UsageRecordInput) {
  return {
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
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
