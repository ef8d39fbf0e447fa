/**
 * Hostile tenants against well-behaved ones: 20 attackers (oversized documents, alias bombs,
 * subscription floods, stream hogs) for 60 s against the gateway as `npm start` runs it, while 50
 * well-behaved users stream completions; the gateway's peak RSS, the well-behaved users' TTFT p99
 * against an idle run, their errors, and /healthz latency (issue 11).
 *
 * Four processes on 127.0.0.1: this one (well-behaved users, /healthz probe, /proc sampling), the
 * upstream (bench/lib/stream/upstream-server.ts: 64 deltas 20 ms apart), the gateway
 * (`src/main.ts`, ROLE=all, NODE_ENV=production, database `byok_bench_hostile`) and the attackers
 * (bench/lib/hostile/attackers.ts). See bench/README.md "hostile".
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import { CHAT } from '../test/support/chat';
import { TEST_ADMIN_TOKEN } from '../test/support/test-env';
import { UsageError, intInRange, parseArgs } from './lib/args';
import { BenchGql, connectWs } from './lib/gql';
import { ATTACK_KINDS, ATTACK_LABELS, type AttackReport } from './lib/hostile/protocol';
import { writeResults } from './lib/results';
import { summarize, type Summary } from './lib/stats';
import { monotonicUs, summarizeCpuProfile, type ProfileSummary } from './lib/stream/cpu-profile';
import { startGateway } from './lib/stream/gateway';
import { forkChild, ProcSampler, REPO_ROOT, type Child, type ProcUsage } from './lib/stream/procs';
import { GATEWAY_MODEL, promptMessages } from './lib/stream/protocol';
import { fmt, printTable } from './lib/table';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DEFAULTS = {
  /** Well-behaved users, each on its own socket, one completion after another. */
  users: 50,
  /** Attackers of each of the four kinds. */
  'per-kind': 5,
  /** Seconds of the hostile run. */
  duration: 60,
  /** Seconds of the idle run (well-behaved users alone) before it. */
  idle: 30,
  /**
   * Seconds the users stream, unmeasured, before the idle run: without it the idle p99 is the
   * cold start (first completions of 50 fresh sockets at once, code not yet optimized), which
   * the hostile run, coming after, never pays: ~120 ms against ~15 ms warm.
   */
  warmup: 5,
  deltas: 64,
  interval: 20,
  /** Which attacker kinds run (comma-separated subset of oversized,alias,flood,hog): to tell which one hurts. */
  kinds: 'oversized,alias,flood,hog',
  /** The RSS the gateway must stay under, MB (the verdict). */
  'rss-ceiling': 1024,
  /** Profile the gateway (node --cpu-prof) and print where its CPU went in each run. */
  'cpu-prof': false,
};

interface PhaseResult {
  ttft: Summary | undefined;
  completions: number;
  errors: Record<string, number>;
  healthz: Summary | undefined;
  gateway: ProcUsage;
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv, DEFAULTS);
  const users = intInRange('users', args.users, 1, 500);
  const perKind = intInRange('per-kind', args['per-kind'], 0, 50);
  const duration = intInRange('duration', args.duration, 5, 600);
  const idle = intInRange('idle', args.idle, 5, 600);
  const warmup = intInRange('warmup', args.warmup, 0, 600);
  const kinds = args.kinds.split(',').map((k) => k.trim());
  for (const k of kinds) if (!(ATTACK_KINDS as readonly string[]).includes(k)) throw new UsageError(`--kinds: unknown kind ${JSON.stringify(k)} (${ATTACK_KINDS.join(', ')})`);

  // Outside bench/results: only its *.json files are git-ignored, and a profile is tens of MB.
  const profDir = path.join(os.tmpdir(), 'byok-bench-hostile-cpu-prof');
  if (args['cpu-prof']) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
  }
  const windows: Record<'idle' | 'hostile', [number, number]> = { idle: [0, 0], hostile: [0, 0] };
  const upstream = await forkChild('upstream', path.join(REPO_ROOT, 'bench', 'lib', 'stream', 'upstream-server.ts'), [String(args.deltas), String(args.interval)]);
  let attackers: Child | undefined;
  const gateway = await startGateway({
    upstreamUrl: `http://127.0.0.1:${upstream.port}`,
    database: 'byok_bench_hostile',
    nodeFlags: args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [],
    // METRICS_TOKEN set: the gateway runs as in production, where it warns when /metrics is open.
    // The per-tenant limits are the service's defaults: startGateway lifts them for the stream
    // bench's single user, and attackers who meet no limit measure a gateway nobody runs.
    serviceLimits: true,
    env: { VALIDATION_RATE_PER_PROVIDER: '200', METRICS_TOKEN: 'bench-metrics-token-0123456789' },
  }).catch(async (err: unknown) => {
    await upstream.child.stop();
    throw err;
  });
  const sockets: Client[] = [];
  let results: Record<string, unknown> = {};
  try {
    console.log(`gateway pid ${gateway.child.pid} at ${gateway.url}; creating ${users} users and ${perKind * ATTACK_KINDS.length} attackers, each with an OPENAI key`);
    const gql = new BenchGql(gateway.url);
    const wellBehaved = await makeUsers(gql, users, 'user');
    const hostile = await makeUsers(gql, perKind * ATTACK_KINDS.length, 'attacker');
    for (const u of wellBehaved) sockets.push(await connectWs(gateway.url, u));

    if (warmup > 0) {
      console.log(`warm-up: ${users} users for ${warmup} s (not measured)`);
      await phase(gateway.url, gateway.child.pid, sockets, warmup * 1000);
    }
    console.log(`idle run: ${users} users for ${idle} s`);
    windows.idle[0] = monotonicUs();
    const idleRun = await phase(gateway.url, gateway.child.pid, sockets, idle * 1000);
    windows.idle[1] = monotonicUs();

    attackers = (await forkChild('attackers', path.join(REPO_ROOT, 'bench', 'lib', 'hostile', 'attackers.ts'), [])).child;
    console.log(`hostile run: ${users} users and ${perKind * ATTACK_KINDS.length} attackers for ${duration} s`);
    const attack = attackers.request<AttackReport>(
      { type: 'attack', id: attackers.newId(), url: gateway.url, tokens: hostile, perKind, kinds, durationMs: duration * 1000, model: GATEWAY_MODEL },
      (m): m is AttackReport => (m as { type?: string }).type === 'attack-done',
      (duration + 120) * 1000,
    );
    windows.hostile[0] = monotonicUs();
    const hostileRun = await phase(gateway.url, gateway.child.pid, sockets, duration * 1000);
    windows.hostile[1] = monotonicUs();
    const report = await attack;

    const rows = [
      { run: 'idle', ...row(idleRun) },
      { run: 'hostile', ...row(hostileRun) },
    ];
    printTable(`Well-behaved users (${users}), TTFT ms (subscribe → first DELTA), gateway process`, rows);
    const attackRows = ATTACK_KINDS.filter((k) => kinds.includes(k)).map((k) => ({
      attackers: `${perKind} × ${k}`,
      outcomes: Object.entries(report.outcomes[k]).sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o}: ${n}`).join('; '),
    }));
    printTable('Attackers: outcomes', attackRows);
    for (const k of ATTACK_KINDS) if (kinds.includes(k)) console.log(`  ${k}: ${ATTACK_LABELS[k]}`);
    console.log(`  attacker process event-loop utilization ${fmt(report.eventLoopUtilization * 100)} %`);

    const peak = Math.max(idleRun.gateway.peakRssMb ?? 0, hostileRun.gateway.peakRssMb ?? 0);
    const ratio = idleRun.ttft && hostileRun.ttft ? hostileRun.ttft.p99 / idleRun.ttft.p99 : NaN;
    const wellErrors = Object.values(hostileRun.errors).reduce((s, n) => s + n, 0) + Object.values(idleRun.errors).reduce((s, n) => s + n, 0);
    const verdicts = [
      `peak RSS ${fmt(peak)} MB ${peak < args['rss-ceiling'] ? '<' : '≥'} ceiling ${args['rss-ceiling']} MB: ${peak < args['rss-ceiling'] ? 'PASS' : 'FAIL'}`,
      `TTFT p99 hostile / idle = ${fmt(ratio, 2)} (≤ 2): ${ratio <= 2 ? 'PASS' : 'FAIL'}`,
      `well-behaved errors: ${wellErrors}: ${wellErrors === 0 ? 'PASS' : 'FAIL'}`,
    ];
    console.log(`\n${verdicts.join('\n')}`);
    const loadavg = os.loadavg();
    console.log(`machine load average (1/5/15 min): ${loadavg.map((l) => fmt(l, 1)).join(' / ')} on ${os.cpus().length} cores: other work on the machine is part of both runs`);
    const logs = gateway.logs();
    console.log(`gateway log lines at warn and above: ${logs.lines}${logs.lines ? ` (${JSON.stringify(logs.messages)})` : ''}`);
    results = { args, loadavg, idle: idleRun, hostile: hostileRun, attackers: report, peakRssMb: peak, ttftP99Ratio: ratio, wellBehavedErrors: wellErrors, verdicts, gatewayLogs: logs };
  } finally {
    await Promise.all(sockets.map((s) => s.dispose()));
    await attackers?.stop();
    await gateway.stop(); // SIGTERM: a --cpu-prof profile is written then
    await upstream.child.stop();
  }
  let profiles: Record<string, ProfileSummary> | undefined;
  if (args['cpu-prof']) {
    const file = newestProfile(profDir);
    if (file) {
      profiles = { idle: summarizeCpuProfile(file, [windows.idle], 25), hostile: summarizeCpuProfile(file, [windows.hostile], 25) };
      for (const [name, s] of Object.entries(profiles)) printProfile(name, s);
    } else console.log(`\nno CPU profile found in ${profDir}`);
  }
  const file = writeResults('hostile', { ...results, cpuProfiles: profiles });
  console.log(`results: ${file}`);
}

function printProfile(run: string, s: ProfileSummary): void {
  console.log(`\nCPU profile of the gateway during the ${run} run: ${fmt(s.windowMs, 0)} ms sampled, busy ${fmt(s.busyPct, 0)}% of one core (${s.file})`);
  printTable('  top self time (% of busy)', s.topFunctions.map((r) => ({ function: r.name, 'self ms': fmt(r.selfMs, 0), '%': fmt(r.pct, 1) })));
  printTable('  self time by package', s.byPackage.map((r) => ({ package: r.name, 'self ms': fmt(r.selfMs, 0), '%': fmt(r.pct, 1) })));
  printTable('  inclusive time of selected frames', s.inclusive.map((r) => ({ frame: r.name, ms: fmt(r.selfMs, 0), '% of busy': fmt(r.pct, 1) })));
}

function newestProfile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  return files.sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0];
}

function row(p: PhaseResult) {
  return {
    completions: p.completions,
    errors: Object.values(p.errors).reduce((s, n) => s + n, 0),
    'TTFT p50': fmt(p.ttft?.p50, 1),
    'TTFT p99': fmt(p.ttft?.p99, 1),
    'TTFT max': fmt(p.ttft?.max, 1),
    '/healthz p99': fmt(p.healthz?.p99, 1),
    '/healthz max': fmt(p.healthz?.max, 1),
    'peak RSS MB': fmt(p.gateway.peakRssMb),
    'CPU %': fmt(p.gateway.cpuPct),
  };
}

async function makeUsers(gql: BenchGql, n: number, label: string): Promise<string[]> {
  const tokens: string[] = [];
  const keys: Array<{ token: string; id: string }> = [];
  const stamp = Date.now();
  for (let i = 0; i < n; i++) {
    const u = await gql.ok<{ createUser: { token: string } }>('mutation($e: String!) { createUser(email: $e) { token } }', { e: `${label}${i}-${stamp}@example.com` }, TEST_ADMIN_TOKEN);
    const token = u.createUser.token;
    const k = await gql.ok<{ addByokKey: { id: string } }>('mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id } }', { input: { provider: 'OPENAI', apiKey: `sk-bench-${label}-${i}-${stamp}-0123456789abcdef` } }, token);
    tokens.push(token);
    keys.push({ token, id: k.addByokKey.id });
  }
  const deadline = Date.now() + 60_000;
  for (const k of keys) {
    for (;;) {
      const d = await gql.ok<{ byokKey: { status: string } | null }>('query($id: ID!) { byokKey(id: $id) { status } }', { id: k.id }, k.token);
      if (d.byokKey?.status === 'VALID') break;
      if (Date.now() > deadline) throw new Error(`key ${k.id} is ${d.byokKey?.status ?? 'missing'}, not VALID`);
      await sleep(100);
    }
  }
  return tokens;
}

/** Every well-behaved user streams one completion after another for `ms`; /healthz every 250 ms. */
async function phase(url: string, pid: number, sockets: Client[], ms: number): Promise<PhaseResult> {
  const sampler = new ProcSampler({ gateway: pid });
  const deadline = performance.now() + ms;
  const ttfts: number[] = [];
  const healthz: number[] = [];
  const errors: Record<string, number> = {};
  let completions = 0;
  const input = { model: GATEWAY_MODEL, messages: promptMessages(4).map((m) => ({ role: m.role.toUpperCase(), content: m.content })) };
  const user = async (c: Client): Promise<void> => {
    while (performance.now() < deadline) {
      const started = performance.now();
      let first: number | undefined;
      const outcome = await new Promise<string | undefined>((resolve) => {
        c.subscribe(
          { query: CHAT, variables: { input } },
          {
            next: (r) => {
              const ev = (r.data as { chatCompletion?: { type?: string } } | null | undefined)?.chatCompletion;
              if (ev?.type === 'DELTA' && first === undefined) first = performance.now() - started;
              if (r.errors?.length) resolve(`error ${String(r.errors[0]?.extensions?.code ?? r.errors[0]?.message)}`);
            },
            error: (e) => resolve(Array.isArray(e) ? `error ${String((e[0] as { extensions?: { code?: string } })?.extensions?.code)}` : 'socket closed'),
            complete: () => resolve(undefined),
          },
        );
      });
      if (outcome === undefined && first !== undefined) {
        ttfts.push(first);
        completions++;
      } else {
        const why = outcome ?? 'completed without a DELTA';
        errors[why] = (errors[why] ?? 0) + 1;
        if (why === 'socket closed') return;
      }
      await sleep(100);
    }
  };
  const probe = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await fetch(`${url}/healthz`).then((r) => r.text()).catch(() => undefined);
      healthz.push(performance.now() - t0);
      await sleep(250);
    }
  };
  await Promise.all([...sockets.map(user), probe()]);
  return { ttft: summarize(ttfts), completions, errors, healthz: summarize(healthz), gateway: sampler.stop().gateway! };
}
