import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { VALIDATION_QUEUE } from '../../../src/jobs/queues';
import type { ProviderId } from '../../../src/providers/types';
import { mockKeyInput } from '../../../test/support/keys';
import { startMockUpstream, type RecordedRequest } from '../../../test/support/mock-upstream';
import type { LogSummary } from '../log-sink';
import { nowMs, runPool } from '../pool';
import { startBenchService } from '../service';
import { summarize, type Summary } from '../stats';
import { countDelayedByLimiter } from './limiter-probe';
import { KeyStatusWatch } from './status-watch';

/** One way of spreading keys over providers, with the service settings to run it under. */
export interface ScenarioSpec {
  /** kebab-case; names the database (`byok_bench_validation_<id>`). */
  id: string;
  label: string;
  /** Key i goes to providers[i % length]; owners hold one key per provider (the unique constraint). */
  providers: readonly ProviderId[];
  /** Service env on top of the mock's base URLs; empty keeps the defaults being measured. */
  env: Record<string, string>;
  /**
   * Pause the validation queue while the keys are added, then resume it: the worker drains a
   * full queue without the add requests competing for the same event loop. Latency from the
   * add is then meaningless; throughput is measured from the resume.
   */
  drain?: boolean;
}

export interface ScenarioOptions {
  keys: number;
  /** addByokKey requests in flight. */
  clients: number;
  timeoutMs: number;
  /** Progress lines while waiting (every 5 s). */
  log: (line: string) => void;
}

interface KeySample {
  provider: ProviderId;
  sentAt: number;
  returnedAt?: number;
  id?: string;
  addError?: string;
}

export interface ProviderRow {
  provider: string;
  keys: number;
  validated: number;
  latencyMs?: Summary;
  /** Most upstream validation calls the mock received for this provider within one epoch second. */
  upstreamMaxPerSecond: number;
}

export interface ScenarioResult {
  id: string;
  label: string;
  env: Record<string, string>;
  settings: { concurrency: number; ratePerProvider: number; attempts: number };
  keys: number;
  owners: number;
  added: number;
  validated: number;
  errors: { total: number; add: number; invalid: number; unreachable: number; timedOut: number; examples: string[] };
  /** First add sent → last add returned. */
  addPhaseS: number;
  /** First add returned (drain: the resume) → last VALID event. */
  durationS: number;
  validationsPerSecond: number;
  /** VALID event received − its add returned (client clock), VALID keys only; unset for a drain. */
  latencyMs?: Summary;
  /** Drain only: VALID event received − queue resumed. */
  sinceResumeMs?: Summary;
  /** Share of the time the process's one event loop was busy (client, service and mock share it). */
  eventLoopUtilization: number;
  /** The same from the moment the add was sent. */
  latencyFromSentMs?: Summary;
  /** Cross-check: byok_keys.last_validated_at − add returned. */
  dbLatencyMs?: Summary;
  /** Keys whose verdict the subscription never delivered (their latency falls back to the database). */
  eventsMissed: number;
  subscriptionErrors: string[];
  jobs: { count: number; queueWaitMs?: Summary; runMs?: Summary; attempts?: Summary };
  /** Jobs the per-provider limiter delayed (at least once) until their turn. */
  limiter: { jobs: number; delayed: number; returns: number };
  upstream: { requests: number; maxPerProviderSecond: number };
  perProvider: ProviderRow[];
  logs: LogSummary;
}

const ADD_KEY = 'mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id status } }';

/**
 * Boots the service (fresh database and queue prefix) and a mock upstream, creates the owners,
 * opens their status subscriptions, adds `keys` good keys through the GraphQL API with
 * `clients` in flight, and waits (bounded) until every key has a verdict.
 */
export async function runScenario(spec: ScenarioSpec, opts: ScenarioOptions): Promise<ScenarioResult> {
  const mock = await startMockUpstream();
  let svc: Awaited<ReturnType<typeof startBenchService>> | undefined;
  let watch: KeyStatusWatch | undefined;
  try {
    svc = await startBenchService(`validation_${spec.id}`, { ...mock.env(), ...spec.env });
    const { validation } = svc.app.config;
    const perOwner = spec.providers.length;
    const owners = Math.ceil(opts.keys / perOwner);

    const tokens: string[] = new Array<string>(owners);
    await runPool(owners, opts.clients, async (i) => {
      tokens[i] = (await svc!.createUser(`bench-${spec.id}-${i}@example.com`)).token;
    });
    watch = await KeyStatusWatch.open(svc.url, tokens, opts.clients);
    // The server registers a subscription a moment after the client sends it; no key exists yet.
    await sleep(300);
    const queue = spec.drain ? new Queue(VALIDATION_QUEUE, { connection: { url: svc.app.config.redisUrl }, prefix: svc.queuePrefix }) : undefined;
    await queue?.pause();

    const eluStart = performance.eventLoopUtilization();
    const samples: KeySample[] = [];
    await runPool(opts.keys, opts.clients, async (i) => {
      const provider = spec.providers[i % perOwner]!;
      const { input } = mockKeyInput(provider, 'good');
      const sample: KeySample = { provider, sentAt: nowMs() };
      samples[i] = sample;
      try {
        const d = await svc!.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, tokens[Math.floor(i / perOwner)]);
        sample.returnedAt = nowMs();
        sample.id = d.addByokKey.id;
      } catch (err) {
        sample.addError = (err as Error).message;
      }
    });
    const added = samples.filter((s): s is KeySample & { id: string; returnedAt: number } => s.id !== undefined);

    let resumedAt: number | undefined;
    let eluFrom = eluStart;
    if (queue) {
      eluFrom = performance.eventLoopUtilization();
      resumedAt = nowMs();
      await queue.resume();
      await queue.close();
    }
    await waitForVerdicts(svc, watch, added.map((s) => s.id), spec, opts);
    const elu = performance.eventLoopUtilization(eluFrom).utilization;
    const limiter = await countDelayedByLimiter(svc.app.config.redisUrl, svc.queuePrefix);

    const keyRows = (await svc.app.db.query('SELECT id, status, last_validated_at FROM byok_keys')) as Array<{
      id: string;
      status: string;
      last_validated_at: Date | null;
    }>;
    const jobRows = (await svc.app.db.query(
      'SELECT attempts, queued_at, started_at, finished_at FROM validation_jobs WHERE finished_at IS NOT NULL',
    )) as Array<{ attempts: number; queued_at: Date; started_at: Date | null; finished_at: Date }>;

    const result = summarizeScenario({
      spec,
      settings: { concurrency: validation.concurrency, ratePerProvider: validation.ratePerProvider, attempts: validation.attempts },
      owners,
      samples,
      added,
      verdicts: watch.verdicts,
      subscriptionErrors: watch.errors,
      dbKeys: new Map(keyRows.map((r) => [r.id, r])),
      jobRows,
      limiter,
      resumedAt,
      elu,
      upstream: mock.requests,
      logs: svc.logs(),
    });
    return result;
  } finally {
    await watch?.close().catch(() => undefined);
    await svc?.stop();
    await mock.close();
  }
}

/** Until every added key has a verdict by subscription, or the database says so and events had 2 s to arrive, or time runs out. */
async function waitForVerdicts(
  svc: { app: { db: { query(sql: string): Promise<unknown> } } },
  watch: KeyStatusWatch,
  ids: readonly string[],
  spec: ScenarioSpec,
  opts: ScenarioOptions,
): Promise<void> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let lastDbCheck = 0;
  let dbSettledAt: number | undefined;
  let lastProgress = started;
  for (;;) {
    const seen = ids.reduce((n, id) => n + (watch.verdicts.has(id) ? 1 : 0), 0);
    if (seen === ids.length) return;
    const now = Date.now();
    if (now >= deadline) {
      opts.log(`  [${spec.id}] timed out after ${opts.timeoutMs / 1000} s with ${seen}/${ids.length} verdicts`);
      return;
    }
    if (now - lastDbCheck >= 1000) {
      lastDbCheck = now;
      const [row] = (await svc.app.db.query("SELECT count(*)::int AS n FROM byok_keys WHERE status <> 'PENDING'")) as Array<{ n: number }>;
      if ((row?.n ?? 0) >= ids.length) dbSettledAt ??= now;
      if (dbSettledAt !== undefined && now - dbSettledAt >= 2000) return;
    }
    if (now - lastProgress >= 5000) {
      lastProgress = now;
      opts.log(`  [${spec.id}] ${seen}/${ids.length} verdicts after ${((now - started) / 1000).toFixed(0)} s`);
    }
    await sleep(50);
  }
}

interface Collected {
  spec: ScenarioSpec;
  settings: ScenarioResult['settings'];
  owners: number;
  samples: readonly KeySample[];
  added: ReadonlyArray<KeySample & { id: string; returnedAt: number }>;
  verdicts: ReadonlyMap<string, { status: string; at: number }>;
  subscriptionErrors: readonly string[];
  dbKeys: ReadonlyMap<string, { status: string; last_validated_at: Date | null }>;
  jobRows: ReadonlyArray<{ attempts: number; queued_at: Date; started_at: Date | null; finished_at: Date }>;
  limiter: { jobs: number; delayed: number; returns: number };
  resumedAt?: number;
  elu: number;
  upstream: readonly RecordedRequest[];
  logs: LogSummary;
}

function summarizeScenario(c: Collected): ScenarioResult {
  const examples = new Set<string>();
  let invalid = 0;
  let unreachable = 0;
  let timedOut = 0;
  let eventsMissed = 0;
  const valid: Array<{ provider: string; returnedAt: number; sentAt: number; at: number; dbAt?: number }> = [];
  for (const s of c.added) {
    const db = c.dbKeys.get(s.id);
    const event = c.verdicts.get(s.id);
    const dbAt = db?.last_validated_at?.getTime();
    const status = event?.status ?? (db && db.status !== 'PENDING' ? db.status : undefined);
    if (!event && status) eventsMissed++;
    if (status === 'VALID') {
      valid.push({ provider: s.provider, returnedAt: s.returnedAt, sentAt: s.sentAt, at: event?.at ?? dbAt!, dbAt });
    } else if (status === 'INVALID') invalid++;
    else if (status === 'UNREACHABLE') unreachable++;
    else timedOut++;
    if (status && status !== 'VALID' && examples.size < 5) examples.add(`${s.provider}: ${status}`);
  }
  const addErrors = c.samples.filter((s) => s.addError !== undefined);
  for (const s of addErrors.slice(0, 5)) examples.add(`add ${s.provider}: ${s.addError}`);

  const start = c.resumedAt ?? Math.min(...c.added.map((s) => s.returnedAt));
  const lastValid = Math.max(...valid.map((v) => v.at));
  const durationMs = valid.length > 0 ? lastValid - start : NaN;
  const sentTimes = c.samples.map((s) => s.sentAt);
  const returnedTimes = c.added.map((s) => s.returnedAt);

  const perSecond = new Map<string, number>();
  for (const r of c.upstream) {
    if (!r.provider) continue;
    const k = `${r.provider}:${Math.floor(r.receivedAt / 1000)}`;
    perSecond.set(k, (perSecond.get(k) ?? 0) + 1);
  }
  const upstreamMax = (provider?: string): number =>
    Math.max(0, ...[...perSecond].filter(([k]) => provider === undefined || k.startsWith(`${provider}:`)).map(([, n]) => n));


  const perProvider: ProviderRow[] = [...new Set(c.spec.providers)].map((provider) => {
    const mine = valid.filter((v) => v.provider === provider);
    return {
      provider,
      keys: c.added.filter((s) => s.provider === provider).length,
      validated: mine.length,
      latencyMs: summarize(mine.map((v) => v.at - v.returnedAt)),
      upstreamMaxPerSecond: upstreamMax(provider),
    };
  });

  return {
    id: c.spec.id,
    label: c.spec.label,
    env: c.spec.env,
    settings: c.settings,
    keys: c.samples.length,
    owners: c.owners,
    added: c.added.length,
    validated: valid.length,
    errors: {
      total: addErrors.length + invalid + unreachable + timedOut,
      add: addErrors.length,
      invalid,
      unreachable,
      timedOut,
      examples: [...examples],
    },
    addPhaseS: returnedTimes.length > 0 ? (Math.max(...returnedTimes) - Math.min(...sentTimes)) / 1000 : NaN,
    durationS: durationMs / 1000,
    validationsPerSecond: valid.length / (durationMs / 1000),
    latencyMs: c.resumedAt === undefined ? summarize(valid.map((v) => v.at - v.returnedAt)) : undefined,
    sinceResumeMs: c.resumedAt === undefined ? undefined : summarize(valid.map((v) => v.at - c.resumedAt!)),
    eventLoopUtilization: c.elu,
    latencyFromSentMs: summarize(valid.map((v) => v.at - v.sentAt)),
    dbLatencyMs: summarize(valid.flatMap((v) => (v.dbAt === undefined ? [] : [v.dbAt - v.returnedAt]))),
    eventsMissed,
    subscriptionErrors: [...new Set(c.subscriptionErrors)].slice(0, 5),
    jobs: {
      count: c.jobRows.length,
      queueWaitMs: summarize(c.jobRows.flatMap((j) => (j.started_at ? [j.started_at.getTime() - j.queued_at.getTime()] : []))),
      runMs: summarize(c.jobRows.flatMap((j) => (j.started_at ? [j.finished_at.getTime() - j.started_at.getTime()] : []))),
      attempts: summarize(c.jobRows.map((j) => j.attempts)),
    },
    limiter: c.limiter,
    upstream: { requests: c.upstream.length, maxPerProviderSecond: upstreamMax() },
    perProvider,
    logs: c.logs,
  };
}
