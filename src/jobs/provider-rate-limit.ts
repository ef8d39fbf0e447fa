import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Reserves the next free slot for `provider` (slots are 1000/perSecond ms apart) and returns how
 * long to wait for it; atomic, so every worker in the cluster shares one schedule.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextFree < now then nextFree = now end
redis.call('SET', KEYS[1], nextFree + interval, 'PX', math.ceil(nextFree + interval - now) + 1000)
return nextFree - now`;

interface Slotted {
  /** When this job's reserved slot starts (set when the limiter delayed it). */
  slotAt?: number;
}

/**
 * At most `perSecond` validation calls per provider across the cluster, so a burst of keys never
 * hammers one provider. Each job reserves its own slot: a job over the limit is delayed exactly
 * until its slot (one send-back, no attempt spent), then runs without asking again.
 */
export class ProviderRateLimiter {
  private readonly intervalMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    perSecond: number,
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  async acquire(job: Job<Slotted>, provider: string, token: string | undefined): Promise<void> {
    const now = Date.now();
    if (job.data.slotAt !== undefined && now >= job.data.slotAt - 5) return;
    const wait = Number(await this.redis.eval(RESERVE, 1, `${this.prefix}:ratelimit:validation:${provider}`, now, this.intervalMs));
    if (wait <= 0) return;
    const slotAt = now + wait;
    await job.updateData({ ...job.data, slotAt });
    await job.moveToDelayed(slotAt, token);
    throw new DelayedError();
  }
}
