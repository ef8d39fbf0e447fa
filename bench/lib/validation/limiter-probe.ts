import { Redis } from 'ioredis';
import { VALIDATION_QUEUE } from '../../../src/jobs/queues';

/**
 * Counts the validation jobs the per-provider limiter delayed. The limiter
 * (src/jobs/provider-rate-limit.ts) sends a job over the limit back to the delayed set, which
 * records the delay in the job's hash (`delay`, 0 for a job added without one); so after a run
 * the jobs with a positive `delay` are exactly the ones it held back at least once. (Completed
 * jobs stay in Redis for an hour, longer than any bench run.)
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
        const [data, delay] = await redis.hmget(key, 'data', 'delay');
        if (data === null) continue;
        jobs++;
        if (Number(delay ?? 0) > 0) delayed++;
      }
    } while (cursor !== '0');
    return { jobs, delayed };
  } finally {
    redis.disconnect();
  }
}
