import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { inflightKeys } from '../modules/usage/inflight-journal';
import { UsageStatus } from '../modules/usage/usage-enums';
import type { UsageRecordInput } from '../modules/usage/usage-record';
import type { UsageRecorder } from '../modules/usage/usage-recorder';

/** The error code of a record the sweeper wrote: its process died with the stream in flight. */
export const PROCESS_LOST = 'PROCESS_LOST';

/** Releases the lock only if it is still ours (it may have expired and been taken over). */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * Turns the journal entries of dead processes (heartbeat expired) into ABORTED, estimated usage
 * records (modules/usage/inflight-journal.ts). Runs from the maintenance scheduler on any worker;
 * a Redis lock keeps it to one sweep at a time cluster-wide, and the usage table's unique
 * request id makes a repeated sweep (or a record that did land) a no-op. Records go through the
 * recorder's retry path (a record the database refuses is dead-lettered, not retried forever); an
 * entry is removed only after its record is in Postgres: a sweep that cannot write throws and
 * the next one retries what is left.
 */
export async function sweepInflight(deps: {
  redis: Redis;
  recorder: Pick<UsageRecorder, 'retry'>;
  prefix: string;
  lockMs: number;
  logger: Logger;
  metrics: Metrics;
}): Promise<number> {
  const { redis, logger } = deps;
  const keys = inflightKeys(deps.prefix);
  const lockKey = `${deps.prefix}:inflight:sweep-lock`;
  const token = randomUUID();
  if ((await redis.set(lockKey, token, 'PX', deps.lockMs, 'NX')) === null) return 0;
  let written = 0;
  try {
    for (const processId of await redis.smembers(keys.processes)) {
      if ((await redis.exists(keys.heartbeat(processId))) === 1) continue;
      const entries = await redis.hgetall(keys.entries(processId));
      const records = Object.values(entries).flatMap((json) => parseEntry(json, logger));
      for (const record of records) {
        await deps.recorder.retry(record);
        await redis.hdel(keys.entries(processId), record.requestId);
      }
      // Anything unreadable goes too: it can never become a record.
      await redis.del(keys.entries(processId));
      await redis.srem(keys.processes, processId);
      if (records.length > 0) {
        deps.metrics.usageRecords.inc({ outcome: 'swept' }, records.length);
        logger.warn({ processId, records: records.length }, 'wrote ABORTED usage records for streams of a process that died');
      }
      written += records.length;
    }
  } finally {
    await redis.eval(RELEASE_LOCK, 1, lockKey, token).catch(() => undefined);
  }
  return written;
}

/** The checkpointed record, as the sweeper writes it: ABORTED, estimated, lost with its process. */
function parseEntry(json: string, logger: Logger): UsageRecordInput[] {
  try {
    const r = JSON.parse(json) as UsageRecordInput;
    return [{ ...r, status: UsageStatus.ABORTED, usageEstimated: true, errorCode: PROCESS_LOST }];
  } catch {
    logger.error('in-flight journal: an unreadable entry was dropped');
    return [];
  }
}
