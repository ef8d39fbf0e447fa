/** Turns the load generator's per-stream samples into one row per target and level. */
import { summarize, type Summary } from '../stats';
import type { ProcUsage } from './procs';
import type { RunReport, StreamSample, Target } from './protocol';

export interface TargetResult {
  target: Target;
  concurrency: number;
  /** Streams measured (all rounds at concurrency 1). */
  streams: number;
  /** First DELTA arrival − request start, client clock. */
  ttftMs?: Summary;
  /** Gaps between consecutive DELTA arrivals, client clock (the upstream spaces them intervalMs). */
  interChunkMs?: Summary;
  /** DELTA arrival − the upstream's write of it (one monotonic clock across processes). */
  deliveryMs?: Summary;
  /** TTFT split: request start → the request reaching the upstream … */
  toUpstreamMs?: Summary;
  /** … and the upstream's write of the first delta → its arrival at the client. */
  firstBackMs?: Summary;
  /** Σ (deltas − received) over the streams. */
  dropped: number;
  /** Deltas out of order or repeated. */
  seqErrors: number;
  /** Streams that failed, timed out or ended without their terminator. */
  errors: number;
  errorExamples: string[];
  /** Wall time of the measured run(s), ms (sum over rounds at concurrency 1). */
  wallMs: number;
  /** The process between client and upstream: (b) the pipe, (c) the gateway; none for (a). */
  middle?: ProcUsage;
  /** Its CPU time per stream, ms (at concurrency 1: summed over its own runs only). */
  middleCpuMsPerStream?: number;
  upstream?: ProcUsage;
  loadgen?: ProcUsage & { eventLoopUtilizationMax: number; eventLoopDelayP99MaxMs: number; sockets: number };
  upstreamLateP99Ms?: number;
  /** Upstream streams whose client went away before the end. */
  upstreamCut?: number;
}

/** One run's facts besides the samples: what the parent measured around it. */
export interface RunContext {
  report: RunReport;
  procs?: Record<string, ProcUsage>;
  /** CPU seconds of the middle process during this target's runs, when measured apart from procs. */
  middleCpuS?: number;
  upstreamLateP99Ms?: number;
  upstreamCut?: number;
}

export function aggregate(target: Target, concurrency: number, deltas: number, runs: RunContext[]): TargetResult {
  const samples: StreamSample[] = runs.flatMap((r) => r.report.samples);
  const ttft: number[] = [];
  const gaps: number[] = [];
  const delivery: number[] = [];
  const toUp: number[] = [];
  const back: number[] = [];
  let dropped = 0;
  let seqErrors = 0;
  let errors = 0;
  const examples = new Map<string, number>();
  for (const s of samples) {
    if (!Number.isNaN(s.ttftMs)) ttft.push(s.ttftMs);
    for (const g of s.gapsMs) gaps.push(g);
    for (const d of s.deliveryMs) delivery.push(d);
    if (!Number.isNaN(s.toUpstreamMs)) toUp.push(s.toUpstreamMs);
    if (!Number.isNaN(s.firstBackMs)) back.push(s.firstBackMs);
    dropped += Math.max(0, deltas - s.received);
    seqErrors += s.seqErrors;
    if (s.error !== undefined || !s.completed) {
      errors++;
      const e = (s.error ?? 'incomplete').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>');
      examples.set(e, (examples.get(e) ?? 0) + 1);
    }
  }
  const last = runs.at(-1);
  const mid = target === 'b' ? 'pipe' : target === 'c' || target === 'r' || target === 'm' ? 'gateway' : undefined;
  const lg = runs.map((r) => r.report.loadgen);
  const ownCpu = runs.filter((r) => r.middleCpuS !== undefined);
  const middleCpuS = ownCpu.length > 0 ? ownCpu.reduce((s, r) => s + r.middleCpuS!, 0) : mid ? last?.procs?.[mid]?.cpuS ?? undefined : undefined;
  return {
    target,
    concurrency,
    streams: samples.length,
    ttftMs: summarize(ttft),
    interChunkMs: summarize(gaps),
    deliveryMs: summarize(delivery),
    toUpstreamMs: summarize(toUp),
    firstBackMs: summarize(back),
    dropped,
    seqErrors,
    errors,
    errorExamples: [...examples.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([e, n]) => `${n}× ${e}`),
    wallMs: runs.reduce((s, r) => s + r.report.wallMs, 0),
    ...(mid && last?.procs?.[mid] ? { middle: last.procs[mid] } : {}),
    ...(middleCpuS !== undefined && samples.length > 0 ? { middleCpuMsPerStream: (middleCpuS * 1000) / samples.length } : {}),
    ...(last?.procs?.upstream ? { upstream: last.procs.upstream } : {}),
    ...(last?.procs?.loadgen
      ? {
          loadgen: {
            ...last.procs.loadgen,
            eventLoopUtilizationMax: Math.max(...lg.map((l) => l.eventLoopUtilization)),
            eventLoopDelayP99MaxMs: Math.max(...lg.map((l) => l.eventLoopDelayP99Ms)),
            sockets: Math.max(...lg.map((l) => l.sockets)),
          },
        }
      : {}),
    ...(runs.some((r) => r.upstreamLateP99Ms !== undefined) ? { upstreamLateP99Ms: Math.max(...runs.map((r) => r.upstreamLateP99Ms ?? 0)) } : {}),
    ...(runs.some((r) => r.upstreamCut !== undefined) ? { upstreamCut: runs.reduce((s, r) => s + (r.upstreamCut ?? 0), 0) } : {}),
  };
}

/** Median of the per-round differences ttft(x) − ttft(a) at concurrency 1 (paired, same round). */
export function pairedAddedTtftP50(roundsX: RunReport[], roundsA: RunReport[]): number | undefined {
  const diffs: number[] = [];
  for (let i = 0; i < Math.min(roundsX.length, roundsA.length); i++) {
    const x = roundsX[i]!.samples[0]?.ttftMs;
    const a = roundsA[i]!.samples[0]?.ttftMs;
    if (x !== undefined && a !== undefined && !Number.isNaN(x) && !Number.isNaN(a)) diffs.push(x - a);
  }
  return summarize(diffs)?.p50;
}
