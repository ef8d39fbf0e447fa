/**
 * An operator's bad day against the gateway as `npm start` runs it: Redis killed for 4 s mid-stream,
 * Postgres cut for 6 s behind a TCP proxy, the gateway SIGKILLed with 50 streams in flight; streams
 * completed / failed by code, usage records expected / landed / duplicated, time to ready (issue 16).
 *
 * Each scenario gets a fresh rig (bench/lib/chaos/rig.ts): the stream bench's upstream, a private
 * Redis on its own port, a TCP proxy in front of Postgres, the gateway (ROLE=all,
 * NODE_ENV=production, database `byok_bench_chaos_<scenario>`), users with VALID keys made through
 * the API. Records are counted in Postgres over a direct connection. See bench/README.md "chaos".
 */
import os from 'node:os';
import { UsageError, intInRange, parseArgs } from './lib/args';
import { startRig } from './lib/chaos/rig';
import { postgresScenario, redisScenario, sigkillScenario, type ChaosFlags, type ScenarioReport } from './lib/chaos/scenarios';
import type { Rig } from './lib/chaos/rig';
import { writeResults } from './lib/results';
import { fmt, printTable } from './lib/table';

const DEFAULTS = {
  /** Comma-separated subset of redis,postgres,sigkill, run in that order. */
  scenarios: 'redis,postgres,sigkill',
  /** Users (each with its own OPENAI key and socket); streams go round-robin over them. */
  users: 10,
  /** Each stream: this many deltas `--interval` ms apart (default 10 s, longer than every fault). */
  deltas: 500,
  interval: 20,
  'redis-streams': 50,
  'redis-new': 20,
  'redis-outage-ms': 4000,
  'pg-open': 30,
  'pg-new': 10,
  'pg-outage-ms': 6000,
  /**
   * Quiet time between the warm-up and the cut: past the gateway's token cache TTL (AUTH_CACHE_TTL_MS,
   * 30 s), so the streams' token checks during the cut cannot be answered by a fresh cache entry.
   */
  'pg-idle-ms': 35_000,
  'kill-streams': 50,
  /** How long after every stream's first DELTA the gateway is killed (past the first journal checkpoint). */
  'kill-after-ms': 3000,
  /** Seconds to wait for the sweeper's records after the SIGKILL. */
  'sweep-timeout': 120,
  /** Seconds to wait for the records of the other scenarios once their streams ended. */
  'records-timeout': 60,
};

const SCENARIOS: Record<string, (rig: Rig, f: ChaosFlags) => Promise<ScenarioReport>> = {
  redis: redisScenario,
  postgres: postgresScenario,
  sigkill: sigkillScenario,
};

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv, DEFAULTS);
  const names = args.scenarios.split(',').map((s) => s.trim());
  for (const n of names) if (!(n in SCENARIOS)) throw new UsageError(`--scenarios: unknown scenario ${JSON.stringify(n)} (${Object.keys(SCENARIOS).join(', ')})`);
  const users = intInRange('users', args.users, 1, 200);
  intInRange('deltas', args.deltas, 10, 100_000);
  intInRange('interval', args.interval, 1, 1000);
  for (const k of ['redis-streams', 'redis-new', 'pg-open', 'pg-new', 'kill-streams'] as const) intInRange(k, args[k], 0, 1000);
  for (const k of ['redis-outage-ms', 'pg-outage-ms'] as const) intInRange(k, args[k], 1500, 120_000);
  intInRange('kill-after-ms', args['kill-after-ms'], 0, 120_000);
  intInRange('pg-idle-ms', args['pg-idle-ms'], 0, 600_000);
  intInRange('sweep-timeout', args['sweep-timeout'], 5, 600);
  intInRange('records-timeout', args['records-timeout'], 5, 600);
  const streamMs = args.deltas * args.interval;
  const longestOutage = Math.max(names.includes('redis') ? args['redis-outage-ms'] : 0, names.includes('postgres') ? args['pg-outage-ms'] : 0);
  if (streamMs < longestOutage + 2000) {
    throw new UsageError(`a stream lasts ${streamMs} ms (--deltas × --interval): it must outlast the outages by 2 s, or no stream is mid-flight when they heal`);
  }

  const reports: ScenarioReport[] = [];
  for (const name of names) {
    console.log(`\n== ${name}: starting the upstream, a private Redis, the Postgres proxy and the gateway; ${users} users with VALID keys`);
    const rig = await startRig({ scenario: name, users, deltas: args.deltas, interval: args.interval });
    try {
      console.log(`gateway pid ${rig.gateway.child.pid} at ${rig.gateway.url}, Redis ${rig.redis.url}, Postgres proxy port ${rig.proxy.port}`);
      const report = await SCENARIOS[name]!(rig, args);
      reports.push(report);
      print(report);
    } finally {
      await rig.stop();
    }
  }

  const verdicts = reports.flatMap((r) => r.verdicts);
  if (verdicts.length > 0) console.log(`\n${verdicts.map((v) => `${v.text}: ${v.pass ? 'PASS' : 'FAIL'}`).join('\n')}`);
  const loadavg = os.loadavg();
  console.log(`machine load average (1/5/15 min): ${loadavg.map((l) => fmt(l, 1)).join(' / ')} on ${os.cpus().length} cores`);
  const file = writeResults('chaos', { args, loadavg, scenarios: reports });
  console.log(`results: ${file}`);
}

function print(r: ScenarioReport): void {
  printTable(
    `${r.scenario}: streams (client side)`,
    r.phases.map((p) => ({
      phase: p.phase,
      started: p.started,
      completed: p.completed,
      failed: p.failed,
      'failed by code': Object.entries(p.failures).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join('; ') || '–',
    })),
  );
  const c = r.records;
  printTable(`${r.scenario}: usage records (Postgres, direct) and readiness`, [
    {
      expected: c.expected,
      landed: c.landed,
      duplicated: c.duplicated,
      'other rows': c.other,
      'by status': Object.entries(c.byStatus).map(([k, n]) => `${k}: ${n}`).join('; ') || '–',
      estimated: c.estimated,
      'error codes': Object.entries(c.byErrorCode).map(([k, n]) => `${k}: ${n}`).join('; ') || '–',
      'landed after ms': fmt(c.landedAfterMs),
      '/readyz during fault': Object.entries(r.readyzDuringFault).map(([k, n]) => `${k}: ${n}`).join('; ') || '–',
      'ms to /readyz 200': fmt(r.readyMs),
      'journal left': r.journalLeft,
    },
  ]);
  console.log('  expected = request ids the clients saw; other rows = records of requests no client saw an id for; journal left = in-flight journal entries still in Redis');
  for (const n of r.notes) console.log(`  ${n}`);
  const logs = r.gatewayLogs;
  console.log(`  gateway log lines at warn and above: ${logs.lines}`);
  for (const [msg, n] of Object.entries(logs.messages).sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${n} × ${msg}`);
  const stderr = r.gatewayStderrTail.split('\n').filter((l) => l.trim());
  if (stderr.length > 0) console.log(`  gateway stderr (last lines, all in the results file):\n${stderr.slice(0, 6).map((l) => `    ${l.slice(0, 200)}`).join('\n')}`);
}
