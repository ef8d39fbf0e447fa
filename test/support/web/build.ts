import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Builds the console from the current web/ sources into a fresh folder (Vite, as
 * `npm run build:web` does), so the browser tests never run against a stale dist/web.
 */
export async function buildConsole(outDir: string): Promise<void> {
  const root = join(__dirname, '..', '..', '..');
  await run(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.mts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: root, timeout: 60_000 },
  );
}

/** A fresh folder for a build; the service can be started on it before the build lands. */
export function buildDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'byok-web-'));
}
