import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * At most `perSecond` validation calls per provider per second across the cluster (a fixed
 * one-second window in Redis). A job over the limit is moved back to delayed for the next
 * window, without spending an attempt, so a burst of keys never hammers one provider.
 */
export class ProviderRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perSecond: number,
  ) {}

  async acquire(job: Job, provider: string, token: string | undefined): Promise<void> {
    const second = Math.floor(Date.now() / 1000);
    const key = `${this.prefix}:ratelimit:validation:${provider}:${second}`;
    const count = await this.redis.incr(key);
    if (count === 1) await this.redis.expire(key, 2);
    if (count <= this.perSecond) return;
    const nextWindow = (second + 1) * 1000 + Math.floor(Math.random() * 200);
    await job.moveToDelayed(nextWindow, token);
    throw new DelayedError();
  }
}
