// `npm run build`: compiles the service into dist/ for `node dist/main.js` (no ts-node at run time),
// and the web console into dist/web/ (`npm run build:web`, where the service looks by default).
//
//   node scripts/build.mjs [--out-dir DIR] [--no-check]
//
// tsc keeps the repository's layout under the output directory (dist/src/…, dist/migrations/…),
// because src/infra/database.ts imports the migration list from ../../migrations and that
// relative path must hold in the compiled tree too. dist/main.js and dist/cli/main.js are the
// documented entry points; each only loads its compiled module. `--no-check` skips type checking
// (the emitted JavaScript is the same, for about a third less CPU); the process test and the
// startup bench use it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outFlag = args.indexOf('--out-dir');
const outDir = resolve(root, outFlag >= 0 ? args[outFlag + 1] ?? '' : 'dist');
// The directory is emptied first: never the repository itself or one of its parents.
const rootInOut = relative(outDir, root);
if (rootInOut === '' || !(rootInOut.startsWith('..') || isAbsolute(rootInOut))) {
  console.error('build: --out-dir needs a directory of its own');
  process.exit(2);
}

// A fresh tree: files of deleted sources must not linger in the image.
rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const tscArgs = [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, ...(args.includes('--no-check') ? ['--noCheck'] : [])];
const { status } = spawnSync(process.execPath, tscArgs, { cwd: root, stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);

const entries = {
  'main.js': ['./src/main.js', 'the service (what `npm start` runs from source)'],
  'cli/main.js': ['../src/cli/main.js', 'the operator CLI (what `npm run cli --` runs from source)'],
};
for (const [file, [target, what]] of Object.entries(entries)) {
  const path = join(outDir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `'use strict';\n// Entry point of ${what}; written by scripts/build.mjs.\nrequire('${target}');\n`);
}
// The console: its own script (Vite), told where this build goes.
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
const web = spawnSync(npm[0], [...npm.slice(1), 'run', 'build:web', '--if-present', '--', '--outDir', join(outDir, 'web')], { cwd: root, stdio: 'inherit' });
if (web.status !== 0) process.exit(web.status ?? 1);
console.log(`build: compiled into ${outDir}`);
