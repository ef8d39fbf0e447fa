import { ConfigError } from './config-error';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `30s`, `15m`, `24h`, `7d` (or a bare number of milliseconds). */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m || m[1] === undefined) {
    throw new ConfigError(`Invalid configuration:\n  ${name}: expected a duration such as 30s, 15m, 24h or 7d`);
  }
  const ms = Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1);
  if (ms <= 0) throw new ConfigError(`Invalid configuration:\n  ${name}: must be longer than 0`);
  return ms;
}
