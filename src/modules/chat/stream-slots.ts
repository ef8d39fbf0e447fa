import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors/app-error';
import type { Logger } from '../../infra/logger';

/** A held slot; `release()` is idempotent and never throws. */
export interface StreamSlot {
  release(): void;
}

/** Releases a slot asked for once its answer lands (nothing to do for a refusal or a failure). */
export function releaseWhenAnswered(slot: Promise<StreamSlot | AppError>): void {
  void slot.then((s) => (s instanceof AppError ? undefined : s.release()), () => undefined);
}

/** Which limit refused a stream (also `extensions.limit` of the RATE_LIMITED error). */
export type StreamLimit = 'streamsPerUser' | 'streamsPerOrganization';

/**
 * Takes a slot in every set (KEYS) or none. Each set is a sorted set of holders scored by when
 * their lease ends; expired holders (a process that died holding them) are dropped first. Redis
 * time, not the callers', so instances with skewed clocks agree. Returns 0, or the 1-based index
 * of the set that is full.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[1])
  redis.call('PEXPIRE', key, lease)
end
return 0`;

/** Extends the lease of holder ARGV[1] in every set that still holds it. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  if redis.call('ZADD', key, 'XX', 'CH', now + lease, ARGV[1]) == 1 then redis.call('PEXPIRE', key, lease) end
end
return 0`;

interface Held {
  keys: string[];
  member: string;
}

/**
 * Per-user and per-organization concurrent-stream limits, shared by every instance through Redis,
 * so one tenant cannot take the slots MAX_CONCURRENT_STREAMS leaves to everyone. A slot is a
 * lease this process renews while the stream runs: if the process dies, its slots expire within
 * `leaseMs`. Redis trouble never fails a completion: the limit is skipped (fail open) and logged.
 */
export class StreamSlots {
  private readonly held = new Set<Held>();
  private readonly renewTimer: NodeJS.Timeout;
  private readonly instance = randomUUID();
  private lastWarnAt = 0;

  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      limits: { user: number; organization: number };
      logger: Logger;
      leaseMs?: number;
      /** How long to wait for Redis before letting the stream through. */
      timeoutMs?: number;
    },
  ) {
    this.renewTimer = setInterval(() => this.renew(), this.leaseMs / 3);
    this.renewTimer.unref();
  }

  private get leaseMs(): number {
    return this.deps.leaseMs ?? 60_000;
  }

  /** A slot for one stream of the user (in the organization, when set), or the RATE_LIMITED error. */
  async acquire(userId: string, organizationId: string | null): Promise<StreamSlot | AppError> {
    const { limits } = this.deps;
    // One hash tag: the sets live on one Redis Cluster node, so the script may touch both.
    const keys = [this.key('user', userId)];
    const max = [limits.user];
    if (organizationId) {
      keys.push(this.key('org', organizationId));
      max.push(limits.organization);
    }
    const held: Held = { keys, member: `${this.instance}:${randomUUID()}` };
    let full: number;
    try {
      full = Number(await this.withTimeout(this.deps.redis.eval(ACQUIRE, keys.length, ...keys, held.member, this.leaseMs, ...max)));
    } catch (err) {
      this.warn(err, 'stream limits skipped: Redis did not answer');
      // Released anyway later: a slot that did land before the timeout is removed, not leaked.
      return this.track(held);
    }
    if (full === 0) return this.track(held);
    const limit: StreamLimit = full === 1 ? 'streamsPerUser' : 'streamsPerOrganization';
    const message =
      limit === 'streamsPerUser'
        ? `You already have ${limits.user} streams open (the per-user limit); retry when one ends`
        : `This organization already has ${limits.organization} streams open (the per-organization limit); retry when one ends`;
    return new AppError('RATE_LIMITED', message, { limit, retryable: true });
  }

  /** Stops renewing (the process is stopping: its leases run out on their own if not released). */
  close(): void {
    clearInterval(this.renewTimer);
  }

  private track(held: Held): StreamSlot {
    this.held.add(held);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(held);
        const pipeline = this.deps.redis.pipeline();
        for (const key of held.keys) pipeline.zrem(key, held.member);
        pipeline.exec().catch((err: unknown) => this.warn(err, 'stream slot not released; its lease will expire'));
      },
    };
  }

  private renew(): void {
    if (this.held.size === 0) return;
    const pipeline = this.deps.redis.pipeline();
    for (const h of this.held) pipeline.eval(RENEW, h.keys.length, ...h.keys, h.member, this.leaseMs);
    pipeline.exec().catch((err: unknown) => this.warn(err, 'stream slot leases not renewed'));
  }

  private key(kind: 'user' | 'org', id: string): string {
    return `{${this.deps.prefix}:streams}:${kind}:${id}`;
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.deps.timeoutMs ?? 500;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** At most one warning per 10 s: during an outage every stream would log one. */
  private warn(err: unknown, msg: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = now;
    this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, msg);
  }
}
