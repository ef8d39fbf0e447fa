/**
 * Streaming completions through the gateway against a local upstream (64 deltas 20 ms apart):
 * time to first token and inter-chunk latency of (a) a direct SSE client, (b) a bare Node pipe,
 * (c) the gateway's chatCompletion subscription, at concurrency 1 (interleaved), 100 and 1000,
 * plus the most concurrent streams one gateway process holds without a dropped chunk (issue 5).
 *
 * Five processes, all on 127.0.0.1: this one (orchestration and /proc sampling only), the
 * upstream, the bare pipe, the gateway (`src/main.ts`, ROLE=all, its own database) and the load
 * generator (keep-alive HTTP clients for a/b, a pool of graphql-ws connections for c). See
 * bench/README.md "stream" for what every column means.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { UsageError, intInRange, parseArgs } from './lib/args';
import { onInterrupt } from './lib/interrupt';
import { writeResults } from './lib/results';
import { fmt, printTable, type Cell } from './lib/table';
import { aggregate, pairedAddedTtftP50, type RunContext, type TargetResult } from './lib/stream/aggregate';
import { monotonicUs, summarizeCpuProfile, type ProfileRow, type ProfileSummary } from './lib/stream/cpu-profile';
import { startGateway, type GatewayLogSummary, type GatewayProc } from './lib/stream/gateway';
import { cpuSeconds, forkChild, ProcSampler, type Child } from './lib/stream/procs';
import {
  TARGET_LABELS,
  type LoadgenReply,
  type RunCommand,
  type RunReport,
  type BodyKind,
  type StreamShape,
  type Target,
  type UpstreamStats,
} from './lib/stream/protocol';

const DEFAULTS = {
  /** Concurrency levels; 1 runs interleaved rounds a, b, c, a, b, c, … */
  levels: '1,100,1000',
  targets: 'a,b,c',
  /** Measured rounds at concurrency 1 (each round: one stream per target). */
  rounds: 50,
  /** Unmeasured rounds at concurrency 1 first (JIT, connections). */
  warmup: 5,
  /** At levels above 1: one unmeasured run per target at the same concurrency first. */
  warm: true,
  deltas: 64,
  interval: 20,
  /** What the upstream streams: `text` (content deltas) or `tools` (one tool call's argument fragments). */
  kind: 'text',
  /** Stream starts spread evenly over this many ms at levels above 1 (0: all in one tick). */
  'ramp-ms': 20,
  /** Messages in every prompt (1: just "Hi"; more: a conversation's history). */
  messages: 1,
  /** graphql-ws subscriptions per WebSocket connection. */
  'streams-per-socket': 10,
  /** Probe (c) from --probe-step up to this many concurrent streams (0: no probe). */
  'max-probe': 4000,
  'probe-step': 1000,
  /** Seconds a stream may take beyond its nominal length before it is cut and counted an error. */
  'stream-timeout': 60,
  /** Seconds for the whole bench: later runs are skipped (and said so) once it is spent. */
  'time-cap': 600,
  /** Profile the gateway (node --cpu-prof) and summarize the (c) runs at the highest level. */
  'cpu-prof': false,
  /**
   * The gateway's MAX_CONCURRENT_STREAMS. 0: the highest level or probe step, so the probe
   * measures what the process holds rather than the configured cap (refused streams are errors).
   */
  'max-streams': 0,
  /** Extra node/V8 flags for the gateway process, space-separated (e.g. "--max-semi-space-size=32"). */
  'gateway-flags': '',
  /** Request body of the HTTP targets: tiny (the prompt alone) or agent (~100 KB, see agent-body.ts). */
  body: 'tiny',
  /** (r) asks for one chat.completion; a and b are then timed to [DONE] (added non-stream latency). */
  'non-stream': false,
};

type Flags = ReturnType<typeof parseFlags>;

/** Pause before every measured run above concurrency 1. */
const SETTLE_MS = 1000;

function streamKind(kind: string): StreamShape['kind'] {
  if (kind !== 'text' && kind !== 'tools') throw new UsageError(`--kind takes text or tools, got ${kind}`);
  return kind;
}

function parseFlags(argv: string[]) {
  const f = parseArgs(argv, DEFAULTS);
  const levels = f.levels.split(',').map((s) => Number(s.trim()));
  if (levels.length === 0 || levels.some((l) => !Number.isInteger(l) || l < 1 || l > 20_000)) {
    throw new UsageError(`--levels takes a comma list of whole numbers 1-20000, got ${f.levels}`);
  }
  const targets = f.targets.split(',').map((s) => s.trim()) as Target[];
  if (targets.length === 0 || targets.some((t) => !['a', 'b', 'c', 'r', 'm'].includes(t))) throw new UsageError(`--targets takes a comma list of a, b, c, r, m; got ${f.targets}`);
  if (f.body !== 'tiny' && f.body !== 'agent') throw new UsageError(`--body takes tiny or agent, got ${f.body}`);
  return {
    levels: [...new Set(levels)].sort((a, b) => a - b),
    targets: (['a', 'b', 'c', 'r', 'm'] as const).filter((t) => targets.includes(t)),
    body: f.body as BodyKind,
    nonStream: f['non-stream'],
    rounds: intInRange('rounds', f.rounds, 1, 2000),
    warmup: intInRange('warmup', f.warmup, 0, 200),
    warm: f.warm,
    shape: { deltas: intInRange('deltas', f.deltas, 1, 10_000), intervalMs: intInRange('interval', f.interval, 0, 10_000), kind: streamKind(f.kind) } satisfies StreamShape,
    rampMs: intInRange('ramp-ms', f['ramp-ms'], 0, 60_000),
    streamsPerSocket: intInRange('streams-per-socket', f['streams-per-socket'], 1, 10_000),
    messages: intInRange('messages', f.messages, 1, 1000),
    maxProbe: intInRange('max-probe', f['max-probe'], 0, 20_000),
    probeStep: intInRange('probe-step', f['probe-step'], 100, 20_000),
    streamTimeoutMs: intInRange('stream-timeout', f['stream-timeout'], 1, 3600) * 1000,
    timeCapMs: intInRange('time-cap', f['time-cap'], 10, 7200) * 1000,
    cpuProf: f['cpu-prof'],
    maxStreams: intInRange('max-streams', f['max-streams'], 0, 100_000),
    gatewayFlags: f['gateway-flags'].split(' ').filter((s) => s !== ''),
  };
}

/** Everything the bench started; stopped in reverse order whatever happens. */
class Processes {
  upstream?: { child: Child; url: string };
  pipe?: { child: Child; url: string };
  gateway?: GatewayProc;
  loadgen?: Child;

  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.upstream) out.upstream = this.upstream.child.pid;
    if (this.pipe) out.pipe = this.pipe.child.pid;
    if (this.gateway) out.gateway = this.gateway.child.pid;
    if (this.loadgen) out.loadgen = this.loadgen.pid;
    return out;
  }

  async stopAll(): Promise<void> {
    const lg = this.loadgen;
    if (lg?.alive) {
      await lg.request({ type: 'close', id: lg.newId() }, (m): m is { type: 'closed' } => (m as LoadgenReply)?.type === 'closed', 30_000).catch(() => undefined);
    }
    await lg?.stop(3000);
    await this.gateway?.stop();
    await this.pipe?.child.stop(3000);
    await this.upstream?.child.stop(3000);
  }
}

const isRunReply = (id: number) => (m: unknown): m is LoadgenReply => {
  const r = m as LoadgenReply;
  return (r?.type === 'run-done' || r?.type === 'failed') && r.id === id;
};
const isStats = (id: number) => (m: unknown): m is UpstreamStats => (m as UpstreamStats)?.type === 'stats' && (m as UpstreamStats).id === id;

class Bench {
  private readonly started = Date.now();
  readonly skipped: string[] = [];
  /** Monotonic µs windows of the (c) runs, by level (for the CPU profile). */
  readonly gatewayWindows = new Map<number, Array<[number, number]>>();

  constructor(
    private readonly f: Flags,
    private readonly p: Processes,
  ) {}

  timeLeft(): boolean {
    return Date.now() - this.started < this.f.timeCapMs;
  }

  private urlOf(t: Target): string {
    return t === 'a' ? this.p.upstream!.url : t === 'b' ? this.p.pipe!.url : this.p.gateway!.url;
  }

  private async upstreamStats(): Promise<UpstreamStats> {
    const c = this.p.upstream!.child;
    const id = c.newId();
    return c.request({ type: 'stats', id }, isStats(id), 10_000);
  }

  /** The pid of the process between the client and the upstream for `t`. */
  middlePid(t: Target): number | undefined {
    return t === 'b' ? this.p.pipe?.child.pid : t === 'c' || t === 'r' || t === 'm' ? this.p.gateway?.child.pid : undefined;
  }

  /** One run of `concurrency` streams against `t`, measured by the load generator. */
  async run(t: Target, concurrency: number, level: number): Promise<RunReport> {
    const lg = this.p.loadgen!;
    const id = lg.newId();
    const cmd: RunCommand = {
      type: 'run',
      id,
      target: t,
      url: this.urlOf(t),
      concurrency,
      rampMs: concurrency > 1 ? this.f.rampMs : 0,
      streamTimeoutMs: this.f.shape.deltas * this.f.shape.intervalMs + this.f.streamTimeoutMs,
      shape: this.f.shape,
      token: t === 'c' || t === 'r' || t === 'm' ? this.p.gateway!.userToken : this.p.gateway!.apiKey,
      streamsPerSocket: this.f.streamsPerSocket,
      promptMessages: this.f.messages,
      body: this.f.body,
      nonStream: this.f.nonStream,
    };
    const w0 = monotonicUs();
    const reply = await lg.request(cmd, isRunReply(id), cmd.streamTimeoutMs + 120_000);
    if (t === 'c' || t === 'r' || t === 'm') {
      const list = this.gatewayWindows.get(level) ?? [];
      list.push([w0, monotonicUs()]);
      this.gatewayWindows.set(level, list);
    }
    if (reply.type === 'failed') throw new Error(`load generator: ${reply.error}`);
    if (reply.type !== 'run-done') throw new Error(`load generator answered ${reply.type}`);
    return reply;
  }

  /** A measured run with /proc sampling and the upstream's own lateness around it. */
  async measured(t: Target, concurrency: number, level: number): Promise<RunContext> {
    await this.upstreamStats(); // resets the upstream's counters
    const sampler = new ProcSampler(this.p.pids());
    const report = await this.run(t, concurrency, level);
    const procs = sampler.stop();
    const up = await this.upstreamStats();
    return { report, procs, upstreamLateP99Ms: up.lateP99Ms, upstreamCut: up.streamsCut };
  }

  /** Concurrency 1: rounds of a, b, c one after the other, so drift hits every target alike. */
  async interleaved(): Promise<{ results: TargetResult[]; pairedAddedP50: Partial<Record<Target, number>>; roundsRun: number }> {
    const { targets, warmup, rounds } = this.f;
    for (let r = 0; r < warmup && this.timeLeft(); r++) for (const t of targets) await this.run(t, 1, 0);
    const reports = new Map<Target, RunReport[]>(targets.map((t) => [t, []]));
    const ownCpuS = new Map<Target, number>(targets.map((t) => [t, 0]));
    const lateness: number[] = [];
    let cut = 0;
    await this.upstreamStats();
    const sampler = new ProcSampler(this.p.pids());
    let roundsRun = 0;
    for (let r = 0; r < rounds; r++) {
      if (!this.timeLeft()) {
        this.skipped.push(`concurrency 1: rounds ${r + 1}-${rounds} (time cap)`);
        break;
      }
      for (const t of targets) {
        const pid = this.middlePid(t);
        const c0 = pid ? cpuSeconds(pid) : undefined;
        reports.get(t)!.push(await this.run(t, 1, 1));
        const c1 = pid ? cpuSeconds(pid) : undefined;
        if (c0 !== undefined && c1 !== undefined) ownCpuS.set(t, ownCpuS.get(t)! + c1 - c0);
      }
      roundsRun++;
      if ((r + 1) % 10 === 0) {
        const up = await this.upstreamStats();
        lateness.push(up.lateP99Ms);
        cut += up.streamsCut;
        console.log(`  concurrency 1: ${r + 1}/${rounds} rounds`);
      }
    }
    const procs = sampler.stop();
    const up = await this.upstreamStats();
    lateness.push(up.lateP99Ms);
    cut += up.streamsCut;
    const results = targets.map((t) => {
      const runs: RunContext[] = reports.get(t)!.map((report) => ({ report }));
      const last = runs.at(-1);
      if (last) Object.assign(last, { procs, upstreamLateP99Ms: Math.max(...lateness), upstreamCut: cut, ...(t !== 'a' ? { middleCpuS: ownCpuS.get(t) } : {}) });
      return aggregate(t, 1, this.f.shape.deltas, runs);
    });
    const a = reports.get('a') ?? [];
    const paired: Partial<Record<Target, number>> = {};
    for (const t of targets) if (t !== 'a' && a.length > 0) paired[t] = pairedAddedTtftP50(reports.get(t)!, a);
    return { results, pairedAddedP50: paired, roundsRun };
  }

  /** Concurrency n: each target alone, a warm run first (unmeasured), then the measured one. */
  async level(n: number, targets: readonly Target[], warm: boolean): Promise<TargetResult[]> {
    const out: TargetResult[] = [];
    for (const t of targets) {
      if (!this.timeLeft()) {
        this.skipped.push(`concurrency ${n}: target ${t} (time cap)`);
        continue;
      }
      if (warm) await this.run(t, n, 0);
      // Let the previous run's tail (usage records, closing sockets) settle first.
      await sleep(SETTLE_MS);
      const ctx = await this.measured(t, n, n);
      const r = aggregate(t, n, this.f.shape.deltas, [ctx]);
      console.log(
        `  concurrency ${n} ${t}: ${r.streams} streams in ${fmt(r.wallMs / 1000, 1)} s, TTFT p99 ${fmt(r.ttftMs?.p99, 1)} ms, ` +
          `inter-chunk p99 ${fmt(r.interChunkMs?.p99, 1)} ms, dropped ${r.dropped}, errors ${r.errors}`,
      );
      out.push(r);
    }
    return out;
  }
}

// ---- output -----------------------------------------------------------------------------------

const ms2 = (v: number | undefined): string => fmt(v, 2);

function row(r: TargetResult, a: TargetResult | undefined, interleavedProcs: boolean): Record<string, Cell> {
  return {
    target: TARGET_LABELS[r.target],
    streams: r.streams,
    'TTFT p50': ms2(r.ttftMs?.p50),
    'TTFT p99': ms2(r.ttftMs?.p99),
    '+TTFT p50 vs a': r.target === 'a' || !a ? '–' : ms2((r.ttftMs?.p50 ?? NaN) - (a.ttftMs?.p50 ?? NaN)),
    'to up p50': ms2(r.toUpstreamMs?.p50),
    'back p50': ms2(r.firstBackMs?.p50),
    'gap p50': ms2(r.interChunkMs?.p50),
    'gap p99': ms2(r.interChunkMs?.p99),
    'deliv p50': ms2(r.deliveryMs?.p50),
    'deliv p99': ms2(r.deliveryMs?.p99),
    dropped: r.dropped,
    errors: r.errors,
    'peak RSS MB': fmt(r.middle?.peakRssMb, 0),
    'CPU %': interleavedProcs ? '–' : fmt(r.middle?.cpuPct, 0),
    'CPU ms/stream': fmt(r.middleCpuMsPerStream, 1),
  };
}

function printLevel(n: number, results: TargetResult[], extra: string[] = []): void {
  const a = results.find((r) => r.target === 'a');
  printTable(`Concurrency ${n}${n === 1 ? ' (interleaved rounds)' : ''}: ms; RSS and CPU of the middle process (pipe / gateway)`, results.map((r) => row(r, a, n === 1)));
  const notes: string[] = [...extra];
  for (const r of results) {
    const lg = r.loadgen;
    notes.push(
      `${r.target}: wall ${fmt(r.wallMs / 1000, 1)} s; load generator ELU ${fmt((lg?.eventLoopUtilizationMax ?? NaN) * 100, 0)}% ` +
        `(loop delay p99 ${fmt(lg?.eventLoopDelayP99MaxMs, 1)} ms, CPU ${fmt(lg?.cpuPct, 0)}%, ${lg?.sockets ?? 0} ws sockets); ` +
        `upstream CPU ${fmt(r.upstream?.cpuPct, 0)}%, its timers late p99 ${fmt(r.upstreamLateP99Ms, 1)} ms` +
        (r.seqErrors ? `; ${r.seqErrors} out-of-order deltas` : '') +
        (r.errorExamples.length ? `; errors: ${r.errorExamples.join('; ')}` : ''),
    );
  }
  for (const line of notes) console.log(`  ${line}`);
}

function verdicts(levels: Map<number, TargetResult[]>, pairedAt1: Partial<Record<Target, number>>, probe: ProbeResult | undefined): string[] {
  const out: string[] = [];
  const at1 = levels.get(1);
  const get = (rs: TargetResult[] | undefined, t: Target) => rs?.find((r) => r.target === t);
  for (const g of ['c', 'r'] as const) {
    const a = get(at1, 'a')?.ttftMs?.p50;
    const b = get(at1, 'b')?.ttftMs?.p50;
    const c = get(at1, g)?.ttftMs?.p50;
    if (a !== undefined && b !== undefined && c !== undefined) {
      const extra = c - a - (b - a);
      const limit = g === 'r' ? 0.5 : 1;
      out.push(
        `concurrency 1: ${TARGET_LABELS[g]} adds ${ms2(c - a)} ms TTFT over (a), the bare pipe ${ms2(b - a)} ms → ${ms2(extra)} ms more than the pipe ` +
          `(paired per round: ${ms2(pairedAt1[g])} vs ${ms2(pairedAt1.b)}); target ≤ ${limit} ms: ${extra <= limit ? 'MET' : 'MISSED'}`,
      );
    }
  }
  // Issue 14: the Messages door (m) adds no more than 10 % over the OpenAI door (r) in the same run.
  for (const [n, rs] of levels) {
    const a = get(rs, 'a');
    const r = get(rs, 'r');
    const m = get(rs, 'm');
    if (!a || !r || !m) continue;
    const addR = (r.ttftMs?.p50 ?? NaN) - (a.ttftMs?.p50 ?? NaN);
    const addM = (m.ttftMs?.p50 ?? NaN) - (a.ttftMs?.p50 ?? NaN);
    const gapR = r.interChunkMs?.p99 ?? NaN;
    const gapM = m.interChunkMs?.p99 ?? NaN;
    const ok = addM <= addR * 1.1 && gapM <= gapR * 1.1;
    out.push(
      `concurrency ${n}: ${TARGET_LABELS.m} adds ${ms2(addM)} ms TTFT p50 over (a) vs ${ms2(addR)} ms for (r); inter-chunk p99 ${ms2(gapM)} vs ${ms2(gapR)} ms; ` +
        `target within 10 % of (r): ${ok ? 'MET' : 'MISSED'}`,
    );
  }
  const top = [...levels.keys()].filter((n) => n >= 1000).sort((x, y) => x - y)[0];
  for (const g of ['c', 'r'] as const) {
    if (top === undefined) break;
    const b = get(levels.get(top), 'b');
    const c = get(levels.get(top), g);
    if (b && c) {
      const ok = (c.ttftMs?.p99 ?? Infinity) <= (b.ttftMs?.p99 ?? -Infinity) && (c.interChunkMs?.p99 ?? Infinity) <= (b.interChunkMs?.p99 ?? -Infinity);
      out.push(
        `concurrency ${top}: ${TARGET_LABELS[g]} TTFT p99 ${ms2(c.ttftMs?.p99)} vs pipe ${ms2(b.ttftMs?.p99)} ms, inter-chunk p99 ${ms2(c.interChunkMs?.p99)} vs ${ms2(b.interChunkMs?.p99)} ms; ` +
          `target no worse than the pipe: ${ok ? 'MET' : 'MISSED'}`,
      );
    }
  }
  const all = [...levels.values()].flat().concat(probe?.rows ?? []);
  const dropped = all.reduce((s, r) => s + r.dropped, 0);
  const errors = all.reduce((s, r) => s + r.errors, 0);
  out.push(`dropped chunks everywhere: ${dropped}, errors: ${errors}; target zero dropped: ${dropped === 0 ? 'MET' : 'MISSED'}`);
  if (probe) out.push(`most concurrent gateway streams with no dropped chunk: ${probe.summary}`);
  return out;
}

// ---- probe ------------------------------------------------------------------------------------

interface ProbeResult {
  /** The probe's own runs (levels it reused are in the level tables). */
  rows: TargetResult[];
  /** Levels taken from the tables above instead of run again. */
  reused: number[];
  /** Largest clean level tried, 0 if none. */
  maxClean: number;
  summary: string;
}

async function probe(bench: Bench, f: Flags, measured: Map<number, TargetResult[]>): Promise<ProbeResult | undefined> {
  if (f.maxProbe === 0 || !f.targets.includes('c')) return undefined;
  const rows: TargetResult[] = [];
  const reused: number[] = [];
  const clean = (r: TargetResult): boolean => r.dropped === 0 && r.errors === 0;
  const describe = (r: TargetResult): string =>
    `${r.concurrency}: ${r.dropped} dropped, ${r.errors} errors${r.errorExamples.length ? ` (${r.errorExamples.join('; ')})` : ''}`;
  /** (c) at n: the measured level's row when there is one, else a new run (no warm run: a step up opens new connections). */
  const at = async (n: number): Promise<TargetResult | undefined> => {
    const known = measured.get(n)?.find((x) => x.target === 'c');
    if (known) {
      if (!reused.includes(n)) reused.push(n);
      return known;
    }
    if (!bench.timeLeft()) {
      bench.skipped.push(`probe: ${n} (time cap)`);
      return undefined;
    }
    console.log(`\nprobe: ${n} concurrent gateway streams …`);
    const r = (await bench.level(n, ['c'], false))[0];
    if (r) rows.push(r);
    return r;
  };
  // The largest clean (c) level measured below the probe's first step, as the bisection's floor.
  let maxClean = Math.max(0, ...[...measured.entries()].filter(([n, rs]) => n < f.probeStep && rs.some((r) => r.target === 'c' && clean(r))).map(([n]) => n));
  let firstDirty: TargetResult | undefined;
  let stopReason = `reached --max-probe ${f.maxProbe}`;
  for (let n = f.probeStep; n <= f.maxProbe; n += f.probeStep) {
    const r = await at(n);
    if (!r) {
      stopReason = `time cap reached before ${n}`;
      break;
    }
    if (!clean(r)) {
      firstDirty = r;
      stopReason = describe(r);
      break;
    }
    maxClean = n;
  }
  // Bisect between the last clean level and the first dirty one (at most 4 steps, to 50 streams).
  if (firstDirty) {
    let lo = maxClean;
    let hi = firstDirty.concurrency;
    for (let step = 0; step < 4 && hi - lo > 50; step++) {
      const mid = Math.round((lo + hi) / 2 / 50) * 50;
      if (mid <= lo || mid >= hi) break;
      const r = await at(mid);
      if (!r) break;
      if (clean(r)) lo = mid;
      else {
        hi = mid;
        stopReason = describe(r);
      }
    }
    maxClean = lo;
  }
  const summary = `${maxClean > 0 ? `${maxClean}` : 'none of the levels tried'} (first failing: ${stopReason}; steps of ${f.probeStep}, then bisected)`;
  return { rows: [...rows].sort((x, y) => x.concurrency - y.concurrency), reused, maxClean, summary };
}

function printProbe(p: ProbeResult): void {
  printTable(
    'Probe: concurrent (c) gateway streams, stepping up until a chunk is dropped or a stream fails',
    p.rows.map((r) => ({
      streams: r.concurrency,
      'TTFT p50': ms2(r.ttftMs?.p50),
      'TTFT p99': ms2(r.ttftMs?.p99),
      'gap p99': ms2(r.interChunkMs?.p99),
      'deliv p50': ms2(r.deliveryMs?.p50),
      'deliv p99': ms2(r.deliveryMs?.p99),
      'deliv max': ms2(r.deliveryMs?.max),
      dropped: r.dropped,
      errors: r.errors,
      'peak RSS MB': fmt(r.middle?.peakRssMb, 0),
      'CPU %': fmt(r.middle?.cpuPct, 0),
      'CPU ms/stream': fmt(r.middleCpuMsPerStream, 1),
      'lg ELU %': fmt((r.loadgen?.eventLoopUtilizationMax ?? NaN) * 100, 0),
    })),
  );
  if (p.reused.length > 0) console.log(`  reused from the level tables: ${p.reused.join(', ')}`);
  console.log(`  most held with no dropped chunk: ${p.summary}`);
}

function printProfile(s: ProfileSummary, level: number): void {
  console.log(
    `\nCPU profile of the gateway during the measured (c) run(s) at concurrency ${level}: ${fmt(s.windowMs, 0)} ms sampled, ` +
      `busy ${fmt(s.busyPct, 0)}% of one core, ${s.streams ?? '?'} streams (${s.file})`,
  );
  const perStream = (r: ProfileRow): string => fmt(r.perStreamMs, 3);
  printTable('  top self time (% of busy)', s.topFunctions.map((r) => ({ function: r.name, 'self ms': fmt(r.selfMs, 0), 'ms/stream': perStream(r), '%': fmt(r.pct, 1) })));
  printTable('  self time by package', s.byPackage.map((r) => ({ package: r.name, 'self ms': fmt(r.selfMs, 0), 'ms/stream': perStream(r), '%': fmt(r.pct, 1) })));
  printTable('  inclusive time of selected frames', s.inclusive.map((r) => ({ frame: r.name, ms: fmt(r.selfMs, 0), 'ms/stream': perStream(r), '% of busy': fmt(r.pct, 1) })));
}

// ---- run --------------------------------------------------------------------------------------

export async function run(argv: string[]): Promise<void> {
  await runStreamBench(argv, 'stream');
}

/** The stream bench under another results name (bench/rest.ts runs it with its own settings). */
export async function runStreamBench(argv: string[], resultsName: string): Promise<void> {
  const f = parseFlags(argv);
  const p = new Processes();
  const unregister = onInterrupt(() => p.stopAll());
  // Outside bench/results: only its *.json files are git-ignored, and a profile is tens of MB.
  const profDir = path.join(os.tmpdir(), 'byok-bench-stream-cpu-prof');
  if (f.cpuProf) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
  }
  console.log(
    `${resultsName} bench: ${f.body} body${f.nonStream ? ', (r) non-streaming' : ''}; ${f.shape.deltas} ${f.shape.kind} deltas ${f.shape.intervalMs} ms apart; levels ${f.levels.join(', ')}; targets ${f.targets.join(', ')}; ` +
      `${f.rounds} interleaved rounds at 1 (after ${f.warmup} warm-up); ramp ${f.rampMs} ms; ${f.streamsPerSocket} subscriptions per ws; ` +
      `${f.messages} prompt message(s); ` +
      `probe to ${f.maxProbe} by ${f.probeStep}; time cap ${f.timeCapMs / 1000} s`,
  );
  console.log(
    'TTFT = first DELTA − request start (= to up + upstream + back); to up = request start → upstream received it; back = upstream wrote delta 0 → client got it;\n' +
      'gap = between consecutive DELTAs at the client; deliv = DELTA arrival − upstream write. All on the machine\'s monotonic clock, shared by the processes.',
  );

  const levels = new Map<number, TargetResult[]>();
  /** 1-minute load average when each level started: other work on the machine skews every figure. */
  const loadAverages: Record<number, number> = {};
  let pairedAt1: Partial<Record<Target, number>> = {};
  let roundsRun = 0;
  let probeResult: ProbeResult | undefined;
  let profile: ProfileSummary | undefined;
  let gatewayLogs: GatewayLogSummary | undefined;
  let bench: Bench | undefined;
  try {
    console.log('starting upstream, pipe, gateway and load generator …');
    const up = await forkChild('upstream', path.join(__dirname, 'lib', 'stream', 'upstream-server.ts'), [String(f.shape.deltas), String(f.shape.intervalMs), f.shape.kind]);
    p.upstream = { child: up.child, url: `http://127.0.0.1:${up.port}` };
    const pipe = await forkChild('pipe', path.join(__dirname, 'lib', 'stream', 'pipe-server.ts'), [p.upstream.url]);
    p.pipe = { child: pipe.child, url: `http://127.0.0.1:${pipe.port}` };
    p.gateway = await startGateway({
      upstreamUrl: p.upstream.url,
      nodeFlags: [...f.gatewayFlags, ...(f.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [])],
      env: { MAX_CONCURRENT_STREAMS: String(f.maxStreams > 0 ? f.maxStreams : Math.max(...f.levels, f.maxProbe)) },
    });
    p.loadgen = (await forkChild('loadgen', path.join(__dirname, 'lib', 'stream', 'loadgen.ts'), [])).child;
    console.log(`  pids: ${JSON.stringify(p.pids())}`);

    bench = new Bench(f, p);
    for (const n of f.levels) {
      if (!bench.timeLeft()) {
        bench.skipped.push(`concurrency ${n} (time cap)`);
        continue;
      }
      console.log(`\nconcurrency ${n} … (machine load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
      loadAverages[n] = os.loadavg()[0]!;
      if (n === 1) {
        const r = await bench.interleaved();
        levels.set(1, r.results);
        pairedAt1 = r.pairedAddedP50;
        roundsRun = r.roundsRun;
        printLevel(1, r.results, [`paired per-round added TTFT p50: b ${ms2(r.pairedAddedP50.b)} ms, c ${ms2(r.pairedAddedP50.c)} ms (${r.roundsRun} rounds)`]);
      } else {
        const rs = await bench.level(n, f.targets, f.warm);
        levels.set(n, rs);
        printLevel(n, rs);
      }
    }
    probeResult = await probe(bench, f, levels);
    if (probeResult) printProbe(probeResult);
  } finally {
    gatewayLogs = p.gateway?.logs();
    console.log('\nstopping processes …');
    await p.stopAll();
    unregister();
  }

  if (f.cpuProf && bench) {
    const file = newestProfile(profDir);
    const profLevel = Math.max(...[...bench.gatewayWindows.keys()].filter((k) => k > 0), 0);
    if (file && profLevel > 0) {
      // The gateway's targets (c, r, m) share the windows: their streams together are the profile's.
      const streams = levels.get(profLevel)?.filter((r) => r.target === 'c' || r.target === 'r' || r.target === 'm').reduce((n, r) => n + r.streams, 0);
      profile = summarizeCpuProfile(file, bench.gatewayWindows.get(profLevel), 25, streams);
      printProfile(profile, profLevel);
    } else console.log(`\nno CPU profile found in ${profDir}`);
  }

  console.log('\nSummary');
  for (const [n, rs] of levels) printLevel(n, rs);
  for (const v of verdicts(levels, pairedAt1, probeResult)) console.log(`  ${v}`);
  if (bench?.skipped.length) console.log(`  skipped: ${bench.skipped.join('; ')}`);
  const logs = gatewayLogs;
  console.log(`  gateway logs (warn+): ${JSON.stringify(logs?.byLevel ?? {})}`);
  for (const [m, n] of Object.entries(logs?.messages ?? {}).sort((x, y) => y[1] - x[1]).slice(0, 10)) console.log(`    ${n}× ${m}`);

  const file = writeResults(resultsName, {
    settings: { ...f, roundsRun, streamsPerSocket: f.streamsPerSocket },
    levels: Object.fromEntries([...levels].map(([n, rs]) => [n, rs])),
    pairedAddedTtftP50At1: pairedAt1,
    loadAverageAtLevelStart: loadAverages,
    probe: probeResult,
    verdicts: verdicts(levels, pairedAt1, probeResult),
    skipped: bench?.skipped ?? [],
    gatewayLogs,
    cpuProfile: profile,
  });
  console.log(`\nresults: ${file}`);
}

function newestProfile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  return files.sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0];
}

