import { Redis } from 'ioredis';

/** Validation calls the per-provider limiter was asked for in one second, and how many it allowed. */
export interface LimiterWindow {
  provider: string;
  second: number;
  attempts: number;
}

const POLL_MS = 250;

/**
 * Reads the per-provider limiter's counters while a bench runs, to show how often a job was
 * turned back. It depends on src/jobs/provider-rate-limit.ts's key layout
 * (`<prefix>:ratelimit:validation:<provider>:<epoch second>`, INCR per acquire, 2 s expiry):
 * polling every 250 ms sees each window's final count before it expires.
 */
export class LimiterProbe {
  private readonly counts = new Map<string, LimiterWindow>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static async start(redisUrl: string, prefix: string): Promise<LimiterProbe> {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    const probe = new LimiterProbe(redis, prefix);
    probe.timer = setInterval(() => {
      probe.polling ??= probe.poll().finally(() => (probe.polling = undefined));
    }, POLL_MS);
    return probe;
  }

  private async poll(): Promise<void> {
    const pattern = `${this.prefix}:ratelimit:validation:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.redis.mget(...keys);
      keys.forEach((key, i) => {
        const m = /:([A-Z_]+):(\d+)$/.exec(key);
        const attempts = Number(values[i] ?? 0);
        if (!m || !Number.isFinite(attempts)) return;
        const prev = this.counts.get(key);
        if (!prev || attempts > prev.attempts) this.counts.set(key, { provider: m[1]!, second: Number(m[2]), attempts });
      });
    } while (cursor !== '0');
  }

  /** Stops polling (after one last read) and returns every window seen. */
  async stop(): Promise<LimiterWindow[]> {
    clearInterval(this.timer);
    await this.polling;
    await this.poll().catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
    return [...this.counts.values()].sort((a, b) => a.second - b.second || a.provider.localeCompare(b.provider));
  }
}
