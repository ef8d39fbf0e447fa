import { Redis } from 'ioredis';
import { VALIDATION_QUEUE } from '../../../src/jobs/queues';

/**
 * Counts the validation jobs the per-provider limiter delayed. The limiter
 * (src/jobs/provider-rate-limit.ts) reserves one slot per job and, when the slot is in the
 * future, records it as `slotAt` in the job's data and delays the job once; so after a run the
 * jobs whose data carries `slotAt` are exactly the ones it held back. (Completed jobs stay in
 * Redis for an hour, longer than any bench run.)
 */
export async function countDelayedByLimiter(redisUrl: string, prefix: string): Promise<{ jobs: number; delayed: number }> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let jobs = 0;
    let delayed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${VALIDATION_QUEUE}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if ((await redis.type(key)) !== 'hash') continue;
        const data = await redis.hget(key, 'data');
        if (data === null) continue;
        jobs++;
        if ((JSON.parse(data) as { slotAt?: number }).slotAt !== undefined) delayed++;
      }
    } while (cursor !== '0');
    return { jobs, delayed };
  } finally {
    redis.disconnect();
  }
}
