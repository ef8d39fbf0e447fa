import { summarize } from './lib/stats';

/** Latency of one measured operation. */
export interface Timing {
  name: string;
  runs: number;
  /** What the last run returned (groups or rows), to show the answer was not empty. */
  resultSize: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Runs `fn` 3 times to warm caches and plans, then `runs` times in a row, timing each. */
export async function timeIt(name: string, runs: number, fn: () => Promise<number>): Promise<Timing> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  let resultSize = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    resultSize = await fn();
    samples.push(performance.now() - started);
  }
  const s = summarize(samples)!;
  return { name, runs, resultSize, p50: s.p50, p95: s.p95, max: s.max, mean: s.mean };
}
