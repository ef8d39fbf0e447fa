/**
 * `npm run bench -- <name> [flags]`: loads bench/<name>.ts and awaits its exported
 * `run(args)`. Without a name, lists the benches. A bench prints its own tables and writes its
 * JSON (bench/lib/results.ts); the runner only loads it, reports failures and ends the process.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './lib/args';
import { runInterruptCleanups } from './lib/interrupt';

/** What every bench module exports. */
export interface BenchModule {
  run(args: string[]): Promise<void>;
}

const BENCH_DIR = __dirname;
const NAME = /^[a-z][a-z0-9-]*$/;
/** Files in bench/ that are not benches. */
const NOT_BENCHES = new Set(['main']);
/** After run() resolves, how long open handles may take to close before we exit anyway. */
const EXIT_GRACE_MS = 3000;

/** Matches a module that exports run(); helper modules beside the benches are not listed. */
const EXPORTS_RUN = /export\s+(?:async\s+)?function\s+run\s*\(|export\s+const\s+run\b/;

function listBenches(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .filter((n) => NAME.test(n) && !NOT_BENCHES.has(n) && EXPORTS_RUN.test(readFileSync(path.join(BENCH_DIR, `${n}.ts`), 'utf8')))
    .sort();
}

/** The first sentence of the file's leading doc comment, for the listing (no module is loaded). */
function summaryOf(name: string): string {
  const text = readFileSync(path.join(BENCH_DIR, `${name}.ts`), 'utf8');
  const doc = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text)?.[1];
  if (!doc) return '';
  const flat = doc.replace(/^\s*\* ?/gm, ' ').replace(/\s+/g, ' ').trim();
  return flat.split(/(?<=\.)\s/)[0] ?? flat;
}

function printList(): void {
  const names = listBenches();
  console.log('usage: npm run bench -- <name> [--flag value ...]\n');
  if (names.length === 0) {
    console.log('no benches in bench/');
    return;
  }
  const width = Math.max(...names.map((n) => n.length));
  console.log('benches:');
  for (const n of names) console.log(`  ${n.padEnd(width)}  ${summaryOf(n)}`);
  console.log('\nSee bench/README.md for what each one measures.');
}

function loadBench(name: string): BenchModule {
  if (!NAME.test(name) || NOT_BENCHES.has(name)) {
    throw new UsageError(`${JSON.stringify(name)} is not a bench name (lower-case letters, digits and dashes)`);
  }
  const file = path.join(BENCH_DIR, `${name}.ts`);
  if (!existsSync(file)) throw new UsageError(`no bench named ${name}; available: ${listBenches().join(', ') || 'none'}`);
  // require, not import(): with module node16 a CommonJS file keeps import() native, and Node's
  // ESM loader cannot load .ts; ts-node's require hook can.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts does not export run(args: string[]): Promise<void>`);
  return mod as BenchModule;
}

/** Ends the process once the event loop is empty, or after a grace period naming what held it open. */
function exitWhenIdle(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    console.error(`bench: still open after ${EXIT_GRACE_MS} ms (${open.join(', ') || 'timers'}); exiting anyway`);
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'list') {
    printList();
    return 0;
  }
  const bench = loadBench(name);
  const started = Date.now();
  await bench.run(args);
  console.log(`\nbench ${name} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

let interrupted = false;
// Later SIGINTs are ignored, not a way to quit faster: Apollo Server (outside NODE_ENV=test)
// re-sends SIGINT to the process once it has stopped, which would cut the cleanup short.
// The cleanup is bounded in time instead.
process.on('SIGINT', () => {
  if (interrupted) return;
  interrupted = true;
  console.error('\nbench: interrupted, cleaning up (at most ~15 s)');
  void runInterruptCleanups().finally(() => process.exit(130));
});

main(process.argv.slice(2)).then(
  (code) => exitWhenIdle(code),
  (err: unknown) => {
    // Interrupted: the bench failed because its service was stopped under it; say nothing more.
    if (interrupted) return;
    if (err instanceof UsageError) console.error(`bench: ${err.message}`);
    else console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    // A failed bench may not have closed its service: clean up what it registered, then exit.
    void runInterruptCleanups().finally(() => exitWhenIdle(err instanceof UsageError ? 2 : 1));
  },
);
