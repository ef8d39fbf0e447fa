import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { RedisPubSub } from '../../infra/pubsub';
import type { Logger } from '../../infra/logger';
import type { Metrics } from '../../infra/metrics';
import { isTransientDbError, sqlState } from '../../infra/pg-errors';
import { USAGE_TOPIC, type UsageRecordInput, type UsageRecordedEvent } from './usage-record';

/** A direct write that takes longer than this goes to the durable queue instead. */
const DIRECT_WRITE_TIMEOUT_MS = 3000;
/** Records arriving within this window share one INSERT (1000 streams ending together: ~10). */
const BATCH_WINDOW_MS = 10;
const MAX_BATCH = 200;

type Outcome = 'written' | 'queued' | 'dead_lettered' | 'lost';

/**
 * Writes usage records so that none is lost and none is written twice: batched direct inserts
 * first; if Postgres does not answer, the records go to a Redis-backed BullMQ queue (job id =
 * request id) whose worker retries until they land. The unique request_id makes every path
 * idempotent. `record()` never throws and never makes the caller wait.
 *
 * A record Postgres refuses for what it holds (see isTransientDbError) would fail the same way
 * forever: the batch is split until that record stands alone, the rest lands at once, and the
 * record goes to `usage_dead_letters` with its error (counted as `dead_lettered`), never to the
 * retry queue.
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
      await this.pubsub.publishAll(USAGE_TOPIC, inputs.map(recordedEvent)).catch(() => undefined);
      return inputs.map(() => 'written');
    } catch (err) {
      if (!isTransientDbError(err)) {
        // One record (or a few) the database refuses: halve until each stands alone.
        if (inputs.length === 1) return [await this.deadLetter(inputs[0]!, err)];
        const mid = inputs.length >> 1;
        return [...(await this.write(inputs.slice(0, mid))), ...(await this.write(inputs.slice(mid)))];
      }
      this.logger.warn(
        { err: (err as Error).message, requestIds: inputs.map((i) => i.requestId) },
        'usage write failed; queueing it for retry',
      );
    }
    return Promise.all(inputs.map((i) => this.enqueue(i)));
  }

  /**
   * Keeps a refused record with its error for operators. If even that write fails, the record
   * goes to the retry queue, whose worker dead-letters it once Postgres answers again.
   */
  private async deadLetter(input: UsageRecordInput, err: unknown): Promise<Outcome> {
    try {
      await insertDeadLetter(this.db, input, err);
    } catch (writeErr) {
      this.logger.warn({ err: (writeErr as Error).message, requestId: input.requestId }, 'could not dead-letter a usage record; queueing it');
      return this.enqueue(input);
    }
    this.countDeadLetter(input, err);
    return 'dead_lettered';
  }

  private countDeadLetter(input: UsageRecordInput, err: unknown): void {
    this.metrics.usageRecords.inc({ outcome: 'dead_lettered' });
    this.logger.error(
      { requestId: input.requestId, code: sqlState(err), err: (err as Error).message },
      'usage record refused by the database; kept in usage_dead_letters',
    );
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

  /**
   * The durable queue's worker: insert (idempotent), then announce. Throws to retry, but only
   * for a failure that may pass: a refused record is dead-lettered and its job ends.
   */
  async retry(input: UsageRecordInput): Promise<void> {
    try {
      await insertUsage(this.db, [input]);
    } catch (err) {
      if (isTransientDbError(err)) throw err;
      await insertDeadLetter(this.db, input, err);
      this.countDeadLetter(input, err);
      return;
    }
    this.metrics.usageRecords.inc({ outcome: 'written' });
    await this.announce(input);
  }

  private async announce(input: UsageRecordInput): Promise<void> {
    await this.pubsub.publish(USAGE_TOPIC, recordedEvent(input)).catch(() => undefined);
  }
}

/** What `usageRecorded` subscribers hear of a record: ids only. */
function recordedEvent(input: UsageRecordInput): UsageRecordedEvent {
  return { requestId: input.requestId, userId: input.userId, organizationId: input.organizationId };
}

/**
 * Each column of a usage row: its SQL array type (the real column type, enums included; varchar
 * without a length, since a cast to varchar(n) would truncate where the insert rejects) and its
 * value in a record. `id` is the database's.
 */
const COLUMNS: ReadonlyArray<readonly [column: string, arrayType: string, value: (r: UsageRecordInput) => unknown]> = [
  ['request_id', 'uuid[]', (r) => r.requestId],
  ['user_id', 'uuid[]', (r) => r.userId],
  ['organization_id', 'uuid[]', (r) => r.organizationId],
  ['provider', 'varchar[]', (r) => r.provider],
  ['key_source', 'key_source[]', (r) => r.keySource],
  ['key_id', 'uuid[]', (r) => r.keyId],
  ['model', 'varchar[]', (r) => r.model],
  ['upstream_model', 'varchar[]', (r) => r.upstreamModel],
  ['input_tokens', 'int[]', (r) => r.inputTokens],
  ['output_tokens', 'int[]', (r) => r.outputTokens],
  ['cached_input_tokens', 'int[]', (r) => r.cachedInputTokens],
  ['cache_write_tokens', 'int[]', (r) => r.cacheWriteTokens],
  ['reasoning_tokens', 'int[]', (r) => r.reasoningTokens],
  ['usage_estimated', 'boolean[]', (r) => r.usageEstimated],
  // A string: bigint-safe, whatever the driver does with large numbers.
  ['cost_micro_usd', 'bigint[]', (r) => (r.costMicroUsd === null ? null : String(r.costMicroUsd))],
  ['status', 'usage_status[]', (r) => r.status],
  ['error_code', 'varchar[]', (r) => r.errorCode],
  ['time_to_first_token_ms', 'int[]', (r) => r.timeToFirstTokenMs],
  ['duration_ms', 'int[]', (r) => r.durationMs],
  ['created_at', 'timestamptz[]', (r) => r.createdAt],
];

/**
 * The whole batch in one statement, one typed array per column, so its text is the same for
 * every batch size. Raw SQL, not TypeORM's InsertQueryBuilder: building that query (parameters,
 * RETURNING, entity transforms) cost ~0.2 ms of CPU per completion on the hot path of a
 * single-threaded process.
 */
const INSERT_USAGE_SQL = `INSERT INTO usage_records (${COLUMNS.map(([c]) => c).join(', ')})
SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}`).join(', ')})
ON CONFLICT (request_id) DO NOTHING`;

/** INSERT … ON CONFLICT (request_id) DO NOTHING: a retried record lands exactly once. */
export async function insertUsage(db: DataSource, records: UsageRecordInput | UsageRecordInput[]): Promise<void> {
  const list = Array.isArray(records) ? records : [records];
  if (list.length === 0) return;
  await db.query(INSERT_USAGE_SQL, COLUMNS.map(([, , value]) => list.map(value)));
}

/** Idempotent per request: a record refused again (a retried job) keeps its first row. */
async function insertDeadLetter(db: DataSource, input: UsageRecordInput, err: unknown): Promise<void> {
  await db.query(
    `INSERT INTO usage_dead_letters (request_id, record, error_code, error) VALUES ($1, $2, $3, $4)
     ON CONFLICT (request_id) DO NOTHING`,
    [String(input.requestId).slice(0, 100), JSON.stringify(input), sqlState(err) ?? null, String((err as Error).message).slice(0, 1000)],
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
