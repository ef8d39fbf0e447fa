/**
 * The OpenAI-compatible REST door (issue 13) and the Anthropic Messages door (issue 14, target m:
 * an Anthropic-dialect upstream with the same pacing) against a direct client and the bare Node pipe,
 * with the stream bench's method and processes (bench/stream.ts: separate processes, keep-alive
 * clients, 64 deltas 20 ms apart): added TTFT and inter-chunk p50/p99 at concurrency 1
 * (interleaved), 100 and 1000, streaming; then the added latency of non-streaming requests.
 * Each with a tiny prompt and with a ~100 KB coding-agent body (bench/lib/stream/agent-body.ts),
 * where request parsing and translation dominate; "CPU ms/stream" is the gateway's CPU per request.
 *
 * Any stream-bench flag passes through (`--levels 1,100 --rounds 20`), after these defaults.
 * `--passes rest-tiny,rest-agent` runs only those passes (all four by default), to iterate quickly.
 */
import { UsageError } from './lib/args';
import { runStreamBench } from './stream';

/** `fixed` flags come after the caller's: a non-streaming pass stays at concurrency 1. */
const PASSES: Array<{ name: string; flags: string[]; fixed?: string[] }> = [
  { name: 'rest-tiny', flags: ['--body', 'tiny'] },
  { name: 'rest-agent', flags: ['--body', 'agent'] },
  { name: 'rest-tiny-nonstream', flags: ['--body', 'tiny'], fixed: ['--non-stream', '--levels', '1'] },
  { name: 'rest-agent-nonstream', flags: ['--body', 'agent'], fixed: ['--non-stream', '--levels', '1'] },
];

/** Takes `--passes a,b` (or `--passes=a,b`) out of argv: the stream bench does not know it. */
function selectPasses(argv: string[]): { passes: typeof PASSES; rest: string[] } {
  const rest: string[] = [];
  let names: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--passes' || word.startsWith('--passes=')) {
      const value = word === '--passes' ? argv[++i] : word.slice('--passes='.length);
      if (!value) throw new UsageError('--passes needs a comma list of pass names');
      names = value.split(',').map((s) => s.trim());
    } else rest.push(word);
  }
  if (!names) return { passes: PASSES, rest };
  const unknown = names.filter((n) => !PASSES.some((p) => p.name === n));
  if (unknown.length > 0) throw new UsageError(`--passes: unknown ${unknown.join(', ')}; passes: ${PASSES.map((p) => p.name).join(', ')}`);
  return { passes: PASSES.filter((p) => names.includes(p.name)), rest };
}

export async function run(args: string[]): Promise<void> {
  const { passes, rest: argv } = selectPasses(args);
  for (const pass of passes) {
    console.log(`\n==== ${pass.name} ====`);
    // No probe: the stream bench's probe measures the subscription's capacity, not this door's.
    await runStreamBench(['--targets', 'a,b,r,m', '--max-probe', '0', ...pass.flags, ...argv, ...(pass.fixed ?? [])], pass.name);
  }
}
