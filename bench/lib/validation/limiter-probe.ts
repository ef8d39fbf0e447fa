import { Redis } from 'ioredis';
import { VALIDATION_QUEUE } from '../../../src/jobs/queues';

/**
 * Counts the validation jobs the per-provider limiter delayed. The limiter
 * (src/jobs/provider-rate-limit.ts) sends a job over the limit back to the delayed set until its
 * turn, and each return to a worker counts in the job's `ats` (attempts started; a delay spends no
 * attempt): after a run, the jobs started more than once are the ones it held back, and the sum
 * over 1 is how often the limiter asked a job to come back. (Completed jobs stay in Redis for an
 * hour, longer than any bench run.)
 */
export async function countDelayedByLimiter(redisUrl: string, prefix: string): Promise<{ jobs: number; delayed: number; returns: number }> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let jobs = 0;
    let delayed = 0;
    let returns = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${VALIDATION_QUEUE}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if ((await redis.type(key)) !== 'hash') continue;
        const [data, started] = await redis.hmget(key, 'data', 'ats');
        if (data === null) continue;
        jobs++;
        const extra = Math.max(0, Number(started ?? 1) - 1);
        if (extra > 0) delayed++;
        returns += extra;
      }
    } while (cursor !== '0');
    return { jobs, delayed, returns };
  } finally {
    redis.disconnect();
  }
}
