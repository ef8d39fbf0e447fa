import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where result files go; `bench/results/*.json` is git-ignored. */
export const RESULTS_DIR = path.resolve(__dirname, '..', 'results');

/** What the numbers were measured on: figures from different machines are not comparable. */
export interface MachineInfo {
  node: string;
  platform: string;
  release: string;
  arch: string;
  cpus: number;
  cpuModel: string | null;
  totalMemoryMb: number;
  gitCommit: string | null;
  /** Uncommitted changes in the working tree when measured (the commit alone does not say what ran). */
  gitDirty: boolean | null;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: ((s) => (s === null ? null : s.length > 0))(git(['status', '--porcelain', '--untracked-files=no'])),
  };
}

/** Runs git in the repository; null when git or the repository is unavailable. */
function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

/**
 * Writes `bench/results/<name>-<ISO timestamp>.json` with the machine info and `data`, and
 * returns the path. Colons are left out of the timestamp so the name is valid on every OS.
 */
export function writeResults(name: string, data: unknown): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`result name must be kebab-case, got ${JSON.stringify(name)}`);
  const at = new Date();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${at.toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ bench: name, at: at.toISOString(), machine: machineInfo(), data }, null, 2)}\n`);
  return file;
}
