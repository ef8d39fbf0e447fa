import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { serviceNodeFlags } from './service-node-flags';
import { TEST_ENCRYPTION_KEYS } from './test-env';

export const REPO_ROOT = resolve(__dirname, '../..');

/** What `npm start` runs after the node flags: the TypeScript entry point through ts-node. */
export const FROM_SOURCE = ['-r', 'ts-node/register/transpile-only', 'src/main.ts'];

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  out(): string;
  exited: Promise<{ code: number | null; ms: number }>;
}

/**
 * Runs the service as its own process with the node flags of `npm start` (package.json
 * `config.nodeFlags`): `entry` is FROM_SOURCE or a compiled entry such as `dist/main.js`.
 * Only PATH and `env` reach it (NODE_ENV=test and the test master key unless overridden).
 */
export function startServiceProcess(entry: string[], env: Record<string, string>, cwd = REPO_ROOT): ServiceProcess {
  const started = Date.now();
  const child = spawn(process.execPath, [...serviceNodeFlags(), ...entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; ms: number }>((res) =>
    child.on('exit', (code) => res({ code, ms: Date.now() - started })),
  );
  return { child, out: () => out, exited };
}

/** A local port nothing listens on (free for a child process to take). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}
