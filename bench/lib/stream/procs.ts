/**
 * Child processes of the stream bench: started with ts-node's require hook and the
 * exit-with-parent preload, talked to over IPC, stopped by their own pid (SIGTERM, then SIGKILL),
 * and measured from outside through /proc (peak RSS, CPU time).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadyMessage } from './protocol';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const EXIT_WITH_PARENT = path.join(__dirname, 'exit-with-parent.ts');
/** Node flags every child gets: TypeScript through ts-node (transpile only), and die with the bench. */
export const CHILD_NODE_FLAGS = ['-r', 'ts-node/register/transpile-only', '-r', EXIT_WITH_PARENT];

/** A running child process of the bench. */
export class Child {
  private readonly tail: string[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  private nextId = 1;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
    this.keepTail(proc.stderr);
    // A crashed child must not crash the bench through an unhandled 'error' on its channel.
    proc.on('error', (err) => this.tail.push(`[process error] ${err.message}`));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines the child wrote to stderr (for failure messages). */
  stderrTail(): string {
    return this.tail.join('').split('\n').slice(-15).join('\n');
  }

  describeExit(): string {
    return this.exitInfo ? `exited with ${this.exitInfo.signal ?? `code ${this.exitInfo.code}`}` : 'running';
  }

  newId(): number {
    return this.nextId++;
  }

  /** Sends `msg` over IPC and waits for the reply that `match` accepts (bounded; fails if the child dies). */
  request<R>(msg: object, match: (m: unknown) => m is R, timeoutMs: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        this.proc.off('exit', onExit);
      };
      const onMessage = (m: unknown): void => {
        if (!match(m)) return;
        cleanup();
        resolve(m);
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`${this.name} ${this.describeExit()} while busy:\n${this.stderrTail()}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.proc.on('message', onMessage);
      this.proc.once('exit', onExit);
      this.proc.send(msg);
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.alive) {
      this.proc.kill('SIGTERM');
      const graceful = await Promise.race([this.exited.then(() => true), sleep(graceMs, undefined, { ref: false }).then(() => false)]);
      if (!graceful && this.alive) {
        this.proc.kill('SIGKILL');
        await Promise.race([this.exited, sleep(5000, undefined, { ref: false })]);
      }
    }
    // Our ends of its pipes, so nothing of it holds the bench's event loop open.
    this.proc.stdout?.destroy();
    this.proc.stderr?.destroy();
    if (this.proc.connected) this.proc.disconnect();
  }

  private keepTail(stream: Readable | null): void {
    if (!stream) return;
    stream.setEncoding('utf8');
    stream.on('data', (s: string) => {
      this.tail.push(s);
      if (this.tail.length > 50) this.tail.splice(0, this.tail.length - 50);
    });
  }
}

/** Forks `script` (a .ts file) and waits for its `ready` message. */
export async function forkChild(name: string, script: string, args: string[], readyTimeoutMs = 60_000): Promise<{ child: Child; port: number }> {
  const proc = fork(script, args, {
    cwd: REPO_ROOT,
    execArgv: CHILD_NODE_FLAGS,
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const child = new Child(name, proc);
  proc.stdout?.resume();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${readyTimeoutMs} ms:\n${child.stderrTail()}`)), readyTimeoutMs);
    proc.on('message', function onReady(m: ReadyMessage) {
      if (m?.type !== 'ready') return;
      clearTimeout(timer);
      proc.off('message', onReady);
      resolve(m.port);
    });
    proc.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${name} ${child.describeExit()} before it was ready:\n${child.stderrTail()}`));
    });
  }).catch(async (err: unknown) => {
    await child.stop(1000);
    throw err;
  });
  return { child, port };
}

/** Spawns `node <flags> <script>` with `env` (not forked: the script is not ours to speak IPC). */
export function spawnNode(name: string, nodeFlags: string[], script: string, env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [...nodeFlags, ...CHILD_NODE_FLAGS, script], {
    cwd: REPO_ROOT,
    env,
    // The IPC channel is only there so exit-with-parent notices the bench going away.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new Child(name, proc);
}

/** A port free right now on 127.0.0.1 (for a child that cannot report the one it bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// ---- /proc sampling ---------------------------------------------------------------------------

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux

/** utime + stime of `pid` in seconds; undefined when /proc has no such process. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Resident set size of `pid` in MB (VmRSS). */
function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface ProcUsage {
  /** Peak VmRSS seen while sampling, MB. */
  peakRssMb: number | null;
  /** CPU time over the window / wall time, in % of one core. */
  cpuPct: number | null;
  /** CPU time over the window, s (10 ms resolution). */
  cpuS: number | null;
}

/** Samples the RSS of some processes every `everyMs` and their CPU time at start and stop. */
export class ProcSampler {
  private readonly peak = new Map<string, number>();
  private readonly cpu0 = new Map<string, number | undefined>();
  private readonly t0 = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: Record<string, number>,
    everyMs = 100,
  ) {
    for (const [name, pid] of Object.entries(pids)) this.cpu0.set(name, cpuSeconds(pid));
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const rss = rssMb(pid);
      if (rss !== undefined) this.peak.set(name, Math.max(this.peak.get(name) ?? 0, rss));
    }
  }

  stop(): Record<string, ProcUsage> {
    clearInterval(this.timer);
    this.sample();
    const wallS = (performance.now() - this.t0) / 1000;
    const out: Record<string, ProcUsage> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const c0 = this.cpu0.get(name);
      const c1 = cpuSeconds(pid);
      out[name] = {
        peakRssMb: this.peak.get(name) ?? null,
        cpuPct: c0 !== undefined && c1 !== undefined && wallS > 0 ? ((c1 - c0) / wallS) * 100 : null,
        cpuS: c0 !== undefined && c1 !== undefined ? c1 - c0 : null,
      };
    }
    return out;
  }
}
