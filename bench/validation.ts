/**
 * Key validation through the worker against the local mock upstream: validations per second and
 * the time from addByokKey to VALID (p50/p95/p99), at the default settings (issue 4).
 *
 * Scenarios, each on a fresh database and queue prefix:
 *   one-provider   all keys on OPENAI: the per-provider limiter (VALIDATION_RATE_PER_PROVIDER,
 *                  default 10/s) is the bottleneck.
 *   all-providers  keys round-robin over the 18 providers (Bedrock through STS): worker throughput
 *                  at VALIDATION_CONCURRENCY (default 8), the limiter allowing 18 × 10/s.
 *   raw-capacity   all keys on OPENAI with the limiter raised out of the way, adds and validations
 *                  running together as in (a) and (b).
 *   raw-drain      the same, but the queue is paused while the keys are added and then resumed:
 *                  the worker's drain rate with nothing else competing for the event loop.
 *   fairness       one user's organizations add --fair-heavy OPENAI keys at once, then --fair-light
 *                  other users add one each while that backlog drains: how long the others wait
 *                  with the fair limiter, against the backlog a shared FIFO budget puts ahead of them
 *                  (issue 11, finding 16).
 */
import { PROVIDER_IDS, ProviderId } from '../src/providers/types';
import { UsageError, intInRange, parseArgs } from './lib/args';
import { writeResults } from './lib/results';
import { fmt, printTable, type Cell } from './lib/table';
import { runFairness, type FairnessResult } from './lib/validation/fairness';
import { runScenario, type ScenarioResult, type ScenarioSpec } from './lib/validation/scenario';

const DEFAULTS = {
  keys: 500,
  /** addByokKey requests in flight. */
  clients: 16,
  /** Per scenario, seconds, for the verdicts after the last add. */
  timeout: 300,
  scenarios: 'one-provider,all-providers,raw-capacity,raw-drain,fairness',
  /** VALIDATION_RATE_PER_PROVIDER in raw-capacity. */
  'raw-rate': 100_000,
  /** fairness: the heavy user's keys (one organization each), the light users, their spacing, the rate. */
  'fair-heavy': 200,
  'fair-light': 10,
  'fair-every-ms': 500,
  'fair-rate': 10,
};

const FAIRNESS = 'fairness';

function printFairness(r: FairnessResult): void {
  printTable(`(e) fairness: one user's ${r.heavy.keys} organizations vs ${r.light.keys} other users, OPENAI at ${r.rate}/s`, [
    {
      who: `heavy (${r.heavy.keys} keys, one user)`,
      'p50 ms': ms(r.heavy.latencyMs?.p50),
      'p95 ms': ms(r.heavy.latencyMs?.p95),
      'max ms': ms(r.heavy.latencyMs?.max),
      note: `drained in ${fmt(r.heavy.drainS, 1)} s, ${fmt(r.heavy.validationsPerSecond, 1)}/s`,
    },
    {
      who: `light (${r.light.keys} users, 1 key each)`,
      'p50 ms': ms(r.light.latencyMs?.p50),
      'p95 ms': ms(r.light.latencyMs?.p95),
      'max ms': ms(r.light.latencyMs?.max),
      note: `FIFO would queue them behind p50 ${fmt(r.light.backlogAhead?.p50, 0)} keys ≈ ${ms(r.light.fifoWaitMs?.p50)} ms (max ≈ ${ms(r.light.fifoWaitMs?.max)} ms)`,
    },
  ]);
  if (r.unsettled > 0) console.log(`  ${r.unsettled} keys still PENDING at the timeout`);
}

function scenarios(rawRate: number): ScenarioSpec[] {
  return [
    { id: 'one-provider', label: '(a) one provider: OPENAI, default limiter', providers: [ProviderId.OPENAI], env: {} },
    { id: 'all-providers', label: `(b) round-robin over all ${PROVIDER_IDS.length} providers, default settings`, providers: PROVIDER_IDS, env: {} },
    {
      id: 'raw-capacity',
      label: `(c) one provider: OPENAI, VALIDATION_RATE_PER_PROVIDER=${rawRate}`,
      providers: [ProviderId.OPENAI],
      env: { VALIDATION_RATE_PER_PROVIDER: String(rawRate) },
    },
    {
      id: 'raw-drain',
      label: `(d) as (c), queue paused during the adds, then drained`,
      providers: [ProviderId.OPENAI],
      env: { VALIDATION_RATE_PER_PROVIDER: String(rawRate) },
      drain: true,
    },
  ];
}

const ms = (v: number | undefined): string => fmt(v, 0);

function headline(r: ScenarioResult): Record<string, Cell> {
  return {
    scenario: r.id,
    keys: r.keys,
    'duration s': fmt(r.durationS, 1),
    'validations/s': fmt(r.validationsPerSecond, 1),
    'p50 ms': ms(r.latencyMs?.p50),
    'p95 ms': ms(r.latencyMs?.p95),
    'p99 ms': ms(r.latencyMs?.p99),
    'max ms': ms(r.latencyMs?.max),
    errors: r.errors.total,
  };
}

function printScenario(r: ScenarioResult): void {
  const s = r.settings;
  printTable(`${r.label}  [concurrency ${s.concurrency}, ${s.ratePerProvider}/s per provider, ${r.owners} owners]`, [headline(r)]);
  const notes = [
    `adds: ${r.added}/${r.keys} in ${fmt(r.addPhaseS, 1)} s (${fmt(r.added / r.addPhaseS, 0)}/s)`,
    ...(r.sinceResumeMs
      ? [`drain: latency columns left blank (keys waited in a paused queue); VALID after resume p50 ${ms(r.sinceResumeMs.p50)} / max ${ms(r.sinceResumeMs.max)} ms`]
      : []),
    `event loop busy ${fmt(r.eventLoopUtilization * 100, 0)}% of the ${r.sinceResumeMs ? 'drain' : 'adds + validations'} (client, service and mock share it)`,
    `jobs: queue wait p50 ${ms(r.jobs.queueWaitMs?.p50)} / p99 ${ms(r.jobs.queueWaitMs?.p99)} ms, run p50 ${ms(r.jobs.runMs?.p50)} / p99 ${ms(r.jobs.runMs?.p99)} ms, attempts max ${r.jobs.attempts?.max ?? '–'}`,
    `limiter: ${r.limiter.delayed} of ${r.limiter.jobs} jobs delayed until their turn (${r.limiter.returns} returns in all); at most ${r.upstream.maxPerProviderSecond} upstream calls in one provider-second`,
    `upstream: ${r.upstream.requests} calls to the mock, max ${r.upstream.maxPerProviderSecond} per provider per second`,
    `subscription: ${r.eventsMissed} verdicts not delivered${r.subscriptionErrors.length ? `, errors: ${r.subscriptionErrors.join('; ')}` : ''}; database cross-check p50 ${ms(r.dbLatencyMs?.p50)} / p99 ${ms(r.dbLatencyMs?.p99)} ms`,
    `service logs (warn+): ${JSON.stringify(r.logs.byLevel)}`,
  ];
  if (r.errors.examples.length > 0) notes.push(`errors: ${r.errors.examples.join('; ')}`);
  for (const n of notes) console.log(`  ${n}`);
  if (r.perProvider.length > 1) {
    printTable(
      `  per provider (${r.id})`,
      r.perProvider.map((p) => ({
        provider: p.provider,
        keys: p.keys,
        valid: p.validated,
        'p50 ms': ms(p.latencyMs?.p50),
        'p95 ms': ms(p.latencyMs?.p95),
        'max ms': ms(p.latencyMs?.max),
        'upstream max/s': p.upstreamMaxPerSecond,
      })),
    );
  }
}

export async function run(argv: string[]): Promise<void> {
  const flags = parseArgs(argv, DEFAULTS);
  const keys = intInRange('keys', flags.keys, 1, 5000);
  const clients = intInRange('clients', flags.clients, 1, 64);
  const timeout = intInRange('timeout', flags.timeout, 5, 1800);
  const rawRate = intInRange('raw-rate', flags['raw-rate'], 1, 1_000_000);
  const fair = {
    heavyKeys: intInRange('fair-heavy', flags['fair-heavy'], 1, 5000),
    lightUsers: intInRange('fair-light', flags['fair-light'], 1, 200),
    lightEveryMs: intInRange('fair-every-ms', flags['fair-every-ms'], 0, 60_000),
    rate: intInRange('fair-rate', flags['fair-rate'], 1, 1000),
  };
  const all = scenarios(rawRate);
  const wanted = flags.scenarios.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => w !== FAIRNESS && !all.some((s) => s.id === w));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new UsageError(`--scenarios takes a comma list of ${[...all.map((s) => s.id), FAIRNESS].join(', ')}; got ${flags.scenarios}`);
  }

  console.log(`validation bench: ${keys} keys per scenario, ${clients} adds in flight, scenarios ${wanted.join(', ')}`);
  console.log('latency = byokKeyStatusChanged VALID event received − addByokKey response received (client clock)');
  const results: ScenarioResult[] = [];
  for (const spec of all.filter((s) => wanted.includes(s.id))) {
    console.log(`\nrunning ${spec.label} …`);
    const r = await runScenario(spec, { keys, clients, timeoutMs: timeout * 1000, log: (l) => console.log(l) });
    results.push(r);
    printScenario(r);
  }
  if (results.length > 1) printTable('Summary: key validation (validations/s and addByokKey → VALID latency)', results.map(headline));
  let fairness: FairnessResult | undefined;
  if (wanted.includes(FAIRNESS)) {
    console.log(`\nrunning (e) fairness …`);
    fairness = await runFairness({ ...fair, clients, timeoutMs: timeout * 1000, log: (l) => console.log(l) });
    printFairness(fairness);
  }
  const file = writeResults('validation', { keys, clients, timeoutS: timeout, scenarios: results, fairness });
  console.log(`\nresults: ${file}`);
}
