import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Fair admission for one provider (start-time fair queueing with a real-time pacer), atomic so
 * every worker in the cluster shares one schedule.
 *
 * A job seen for the first time gets a tag: one more than the later of its line's last tag and
 * the provider's virtual time (the tag of the last job admitted). A line that queues 1,000 keys
 * gets tags 1..1000; a line that comes along later starts at the current virtual time, so its
 * first key is next, not 1,000th. The job with the lowest tag is admitted when the pacer has a
 * slot (slots are `interval` ms apart; a missed one may be caught up on); every other job learns
 * its rank and sleeps about rank × interval, then asks again. A free slot that nobody ahead is
 * due for right now (they are late, or were told to come back later) goes to a job a few places
 * behind rather than to waste: strict order cost ~15% of the rate on a loaded machine.
 *
 * A head of the line that stopped coming back (its job was removed, or its worker died past the
 * lock) is dropped once it is `stale` ms overdue; if it does come back later it simply queues
 * again behind its line's other keys. Idle lines leave nothing behind.
 *
 * KEYS: 1 waiting (zset job → tag), 2 line's last tag (hash), 3 job → line (hash),
 *       4 job → when it is due back (hash), 5 virtual time, 6 next free slot (ms),
 *       7 admissions of the last second (zset job → ms)
 * ARGV: now, interval, job id, line, stale ms, key ttl ms, late grace ms, lookahead, banked slots
 * Returns 0 (go now) or the ms to wait before asking again.
 */
const ACQUIRE = `
local now, interval, job, line = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local stale, ttl, grace, lookahead, bank = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local function forget(id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
end
local tag = tonumber(redis.call('ZSCORE', KEYS[1], job))
if not tag then
  local vt = tonumber(redis.call('GET', KEYS[5]) or '0')
  local last = tonumber(redis.call('HGET', KEYS[2], line) or '0')
  if last < vt then last = vt end
  tag = last + 1
  redis.call('HSET', KEYS[2], line, tag)
  redis.call('HSET', KEYS[3], job, line)
  redis.call('ZADD', KEYS[1], tag, job)
end
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not head or head == job then break end
  local due = tonumber(redis.call('HGET', KEYS[4], head) or '0')
  if due + stale >= now then break end
  forget(head)
end
local nextFree = tonumber(redis.call('GET', KEYS[6]) or '0')
if nextFree < now - bank * interval then nextFree = now - bank * interval end
local rank = redis.call('ZRANK', KEYS[1], job)
local admit = nextFree <= now and rank <= math.floor((now - nextFree) / interval)
if not admit and nextFree <= now and rank <= lookahead then
  -- The slot is free: take it unless someone ahead is due for it right now. Those ahead that are
  -- late, or not due before the next slot, lose nothing: a wasted slot helps nobody.
  admit = true
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, rank - 1)) do
    local due = tonumber(redis.call('HGET', KEYS[4], id) or '0')
    if due + grace > now and due <= now + interval then
      admit = false
      break
    end
  end
end
-- Catching up on banked slots never puts more than one second's worth into any one second.
local windowFull = false
if admit then
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now - 1000)
  if redis.call('ZCARD', KEYS[7]) >= math.max(1, math.floor(1000 / interval)) then
    admit = false
    windowFull = true
  end
end
local wait
if admit then
  redis.call('ZADD', KEYS[7], now, job)
  forget(job)
  redis.call('SET', KEYS[5], tag)
  if tonumber(redis.call('HGET', KEYS[2], line) or '-1') == tag then redis.call('HDEL', KEYS[2], line) end
  redis.call('SET', KEYS[6], nextFree + interval)
  wait = 0
elseif windowFull then
  local oldest = tonumber(redis.call('ZRANGE', KEYS[7], 0, 0, 'WITHSCORES')[2])
  wait = math.max(oldest + 1000 - now, 1) + rank * interval
  redis.call('HSET', KEYS[4], job, now + wait)
else
  wait = math.max(nextFree - now, 0) + rank * interval
  if wait < 1 then wait = 1 end
  redis.call('HSET', KEYS[4], job, now + wait)
end
for i = 1, 7 do redis.call('PEXPIRE', KEYS[i], ttl) end
return math.ceil(wait)`;

/** A queued key that stops asking for this long past its due time is dropped from the line. */
const MIN_STALE_MS = 10_000;
/** A job this late for its turn may be passed by one a few places behind it. */
const LATE_GRACE_MS = 20;
/** How far behind a job may be to take a late job's slot (bounds the script's work). */
const LOOKAHEAD = 16;
/**
 * Slots left unused (a late job, a worker busy elsewhere) that may still be caught up on. Two
 * gained ~10% of the rate on a loaded machine but bunched calls at the provider (7 in one second
 * at 5/s); one keeps them to the rate. A one-second window caps the catching up as well.
 */
const BANKED_SLOTS = 1;
/** Idle providers' limiter state expires. */
const STATE_TTL_MS = 24 * 3600 * 1000;

interface FairJobData {
  /** Whose line the key waits in: the user who added it. */
  addedBy?: string;
  keyId?: string;
}

/**
 * At most `perSecond` validation calls per provider across the cluster, shared fairly: each
 * line's keys interleave with everyone else's, so a user whose 100 organizations add keys at
 * once delays another user's key by about one slot per active line, not by the whole backlog
 * (issue 11, finding 16). A line is the user who added the key (job data `addedBy`): an owner
 * holds one key per provider, so lines by owner would not separate anyone, and any user may
 * create organizations. A job over the limit is sent back to the delayed set (no attempt spent)
 * until its estimated turn, then asks again: one Redis call per ask.
 */
export class ProviderRateLimiter {
  private readonly intervalMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    perSecond: number,
    /** The worker's lock duration: a job is never declared gone while its worker may hold it. */
    lockMs = 0,
  ) {
    this.intervalMs = 1000 / perSecond;
    this.staleMs = Math.max(MIN_STALE_MS, 2 * lockMs);
  }

  async acquire(job: Job<FairJobData>, provider: string, token: string | undefined): Promise<void> {
    const now = Date.now();
    // Jobs queued before lines were recorded wait in a line of their own key.
    const line = job.data.addedBy ? `u:${job.data.addedBy}` : `k:${job.data.keyId ?? job.id}`;
    // One hash tag: the seven keys live in one Redis Cluster slot, as a script needs.
    const base = `${this.prefix}:ratelimit:validation:{${provider}}`;
    const wait = Number(
      await this.redis.eval(
        ACQUIRE,
        7,
        `${base}:waiting`,
        `${base}:line-tag`,
        `${base}:job-line`,
        `${base}:due`,
        `${base}:vtime`,
        `${base}:next`,
        `${base}:admitted`,
        now,
        this.intervalMs,
        job.id!,
        line,
        this.staleMs,
        STATE_TTL_MS,
        LATE_GRACE_MS,
        LOOKAHEAD,
        BANKED_SLOTS,
      ),
    );
    if (wait <= 0) return;
    await job.moveToDelayed(now + wait, token);
    throw new DelayedError();
  }
}
