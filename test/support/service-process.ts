import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

/**
 * Builds the service with scripts/build.mjs (what `npm run build` runs) into a fresh directory
 * that holds only dist/, package.json and node_modules (a link to the repository's), as the
 * image's runtime stage does, so nothing can be read from src/ or migrations/. Type checking
 * is skipped (`--no-check`: the same JavaScript for about a third less CPU; `npm run typecheck`
 * covers it). Run `dist/main.js` with it as the working directory; `remove()` deletes it.
 */
export function buildCompiledApp(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'byok-dist-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--out-dir', join(dir, 'dist'), '--no-check'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) {
    remove();
    throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  }
  copyFileSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove };
}
