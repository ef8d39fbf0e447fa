/**
 * Start-up time and idle memory: `npm start` (TypeScript through ts-node) against the compiled
 * `node dist/main.js`, each run as its own process with the same node flags.
 *
 * `npm run bench -- startup [--runs 5] [--idle-ms 10000]`. The service is built once into a
 * temporary directory (test/support/service-process.ts), a database is migrated once, then the
 * two entry points start alternately (ROLE=all, NODE_ENV=production, LOG_LEVEL=warn). Ready is
 * the first 200 from /readyz after the spawn; RSS is read from /proc after `--idle-ms` without
 * traffic. Only the service's own node process is measured: `npm start` adds npm's process.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dropDatabase } from '../test/support/app';
import { FROM_SOURCE, REPO_ROOT, buildCompiledApp, closedPort, startServiceProcess } from '../test/support/service-process';
import { TEST_REDIS_URL, adminDatabaseUrl } from '../test/support/test-env';
import { UsageError, parseArgs } from './lib/args';
import { deleteRedisPrefix } from './lib/service';
import { onInterrupt } from './lib/interrupt';
import { writeResults } from './lib/results';
import { summarize } from './lib/stats';
import { fmt, printTable } from './lib/table';

const DATABASE = 'byok_bench_startup';
const QUEUE_PREFIX = 'byok_bench_startup';

interface Sample {
  entry: 'source' | 'dist';
  readyMs: number;
  /** CPU time (user + system) the process used until ready: unlike readyMs, barely stretched by a busy machine. */
  readyCpuMs: number;
  idleRssMb: number;
  stopMs: number;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; 100 clock ticks a second). */
function cpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of a process in MB (Linux /proc). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

async function measure(entry: Sample['entry'], cwd: string, env: Record<string, string>, idleMs: number): Promise<Sample> {
  const port = await closedPort();
  const p = startServiceProcess(entry === 'source' ? FROM_SOURCE : ['dist/main.js'], { ...env, PORT: String(port) }, cwd);
  const started = Date.now();
  try {
    for (;;) {
      if (p.child.exitCode !== null) throw new Error(`${entry} exited ${p.child.exitCode}: ${p.out()}`);
      if (Date.now() - started > 120_000) throw new Error(`${entry} not ready after 120 s: ${p.out()}`);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = Date.now() - started;
    const readyCpuMs = cpuMs(p.child.pid!);
    await new Promise((r) => setTimeout(r, idleMs));
    const idleRssMb = rssMb(p.child.pid!);
    const stopAt = Date.now();
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    if (code !== 0) throw new Error(`${entry} exited ${code} on SIGTERM: ${p.out()}`);
    return { entry, readyMs, readyCpuMs, idleRssMb, stopMs: Date.now() - stopAt };
  } finally {
    p.child.kill('SIGKILL');
  }
}

export async function run(argv: string[]): Promise<void> {
  const flags = parseArgs(argv, { runs: 5, 'idle-ms': 10_000 });
  if (flags['idle-ms'] < 1000) throw new UsageError('--idle-ms must be at least 1000 (see the first start below)');
  const dbUrl = new URL(adminDatabaseUrl());
  dbUrl.pathname = `/${DATABASE}`;
  const env = {
    NODE_ENV: 'production',
    ROLE: 'all',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX,
  };
  const buildStarted = Date.now();
  const built = buildCompiledApp();
  console.log(`built into ${built.dir} in ${((Date.now() - buildStarted) / 1000).toFixed(1)} s (no type check)`);
  const cleanUp = async (): Promise<void> => {
    built.remove();
    await dropDatabase(DATABASE);
    await deleteRedisPrefix(TEST_REDIS_URL, QUEUE_PREFIX);
  };
  const unregister = onInterrupt(cleanUp);
  const samples: Sample[] = [];
  try {
    await dropDatabase(DATABASE);
    // The first start creates and migrates the database; every measured start finds it ready,
    // as a restarted deployment does. (Idle a second: /readyz answers before main.ts installs
    // its SIGTERM handler, and a signal before that ends the process without a graceful stop.)
    await measure('dist', built.dir, env, 1000);
    for (let i = 0; i < flags.runs; i++) {
      for (const entry of ['source', 'dist'] as const) {
        const s = await measure(entry, entry === 'source' ? REPO_ROOT : built.dir, env, flags['idle-ms']);
        samples.push(s);
        console.log(`  run ${i + 1} ${entry.padEnd(6)} ready ${s.readyMs} ms (CPU ${s.readyCpuMs} ms), idle RSS ${fmt(s.idleRssMb, 1)} MB`);
      }
    }
  } finally {
    unregister();
    await cleanUp();
  }

  const rows = (['source', 'dist'] as const).map((entry) => {
    const of = samples.filter((s) => s.entry === entry);
    const ready = summarize(of.map((s) => s.readyMs));
    const cpu = summarize(of.map((s) => s.readyCpuMs));
    const rss = summarize(of.map((s) => s.idleRssMb));
    return {
      entry: entry === 'source' ? 'npm start (ts-node)' : 'node dist/main.js',
      runs: of.length,
      'ready p50 ms': ready?.p50,
      'ready max ms': ready?.max,
      'CPU to ready p50 ms': cpu?.p50,
      'idle RSS p50 MB': fmt(rss?.p50, 1),
      'idle RSS max MB': fmt(rss?.max, 1),
    };
  });
  // Start-up is mostly CPU (loading, and for ts-node compiling, thousands of modules): say how
  // busy the machine was.
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  printTable(`start-up to /readyz 200 and RSS after ${flags['idle-ms']} ms idle (${os.cpus().length} cores, load average at the end ${load})`, rows);
  console.log(`\nresults: ${writeResults('startup', { flags, samples, rows })}`);
}
