import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../infra/logger';
import type { UsageRecordInput } from './usage-record';

/** How the journal paces itself (config: INFLIGHT_*). */
export interface InflightSettings {
  /** A process whose heartbeat is older than this is dead: its entries become ABORTED records. */
  heartbeatTtlMs: number;
  /** A running stream rewrites its entry at least this often... */
  checkpointMs: number;
  /** ...or after this many deltas (about a token each), whichever comes first. */
  checkpointDeltas: number;
}

/** The Redis keys of the journal, shared by the writing processes and the sweeper. */
export function inflightKeys(prefix: string) {
  return {
    /** Every process id that has journaled (the sweeper's work list). */
    processes: `${prefix}:inflight:processes`,
    /** Present (with a TTL) while the process lives. */
    heartbeat: (processId: string) => `${prefix}:inflight:heartbeat:${processId}`,
    /** Hash: request id → the ABORTED, estimated record as of the last checkpoint (JSON). */
    entries: (processId: string) => `${prefix}:inflight:entries:${processId}`,
  };
}

/**
 * The in-flight journal (issue 16): while a stream runs, the record it would leave if this
 * process died now sits in Redis, outside the process. A SIGKILL leaves it there with an
 * expiring heartbeat; the sweeper (jobs/inflight-sweeper.ts) writes it as an ABORTED record.
 *
 * Everything here is fire and forget and fails open: a Redis that does not answer costs a
 * warning, never a stream, and the hot path never waits on it (nor on Postgres).
 */
export class InflightJournal {
  readonly processId = randomUUID();
  private readonly keys: ReturnType<typeof inflightKeys>;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Warn once per outage, not once per stream. */
  private failing = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly settings: InflightSettings,
    private readonly logger: Logger,
  ) {
    this.keys = inflightKeys(prefix);
  }

  /** Starts the heartbeat (three beats per TTL, so one lost beat does not kill the process). */
  async start(): Promise<void> {
    await this.beat();
    this.heartbeatTimer = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.settings.heartbeatTtlMs / 3)));
    this.heartbeatTimer.unref();
  }

  /**
   * Graceful stop: the heartbeat goes with the process. Entries still here belong to records
   * that were never handed over; the sweeper writes them (the request-id dedupe keeps a record
   * that did land from being written twice).
   */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.redis.del(this.keys.heartbeat(this.processId)).catch(() => undefined);
  }

  /** One stream's entry; `snapshot` builds the record to keep (called only at a write). */
  begin(requestId: string, snapshot: () => UsageRecordInput): InflightEntry {
    return new InflightEntry(this, requestId, snapshot);
  }

  /** @internal */
  put(requestId: string, record: UsageRecordInput): void {
    this.redis.hset(this.keys.entries(this.processId), requestId, JSON.stringify(record)).then(() => this.ok(), (err: Error) => this.failed(err, requestId));
  }

  /** @internal */
  remove(requestId: string): void {
    this.redis.hdel(this.keys.entries(this.processId), requestId).then(() => this.ok(), (err: Error) => this.failed(err, requestId));
  }

  private async beat(): Promise<void> {
    try {
      await this.redis
        .multi()
        .set(this.keys.heartbeat(this.processId), String(Date.now()), 'PX', this.settings.heartbeatTtlMs)
        .sadd(this.keys.processes, this.processId)
        .exec();
      this.ok();
    } catch (err) {
      this.failed(err as Error);
    }
  }

  private ok(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info('in-flight journal: Redis answers again');
  }

  private failed(err: Error, requestId?: string): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn({ err: err.message, requestId }, 'in-flight journal: Redis write failed; streams go on without crash protection');
  }
}

/** One stream's journal entry: written when an upstream is tried, checkpointed, removed at the end. */
export class InflightEntry {
  private deltas = 0;
  private nextAt = 0;

  constructor(
    private readonly journal: InflightJournal,
    private readonly requestId: string,
    private readonly snapshot: () => UsageRecordInput,
  ) {}

  /** Writes the entry now (the stream starts, or moves on to another candidate). */
  write(): void {
    this.deltas = 0;
    this.nextAt = Date.now() + this.journal.settings.checkpointMs;
    this.journal.put(this.requestId, this.snapshot());
  }

  /** Called per delta: a checkpoint every few seconds or N deltas, whichever comes first. */
  progress(): void {
    if (++this.deltas >= this.journal.settings.checkpointDeltas || Date.now() >= this.nextAt) this.write();
  }

  /**
   * The stream ended and its record went to the recorder: the entry goes once the record is
   * written or durably queued. A record the recorder lost keeps its entry, for the sweeper.
   */
  handedOver(landed: Promise<string>): void {
    void landed.then((outcome) => {
      if (outcome !== 'lost') this.journal.remove(this.requestId);
    });
  }
}
