/** Flag defaults: their types decide how a value is parsed. */
export type FlagSpec = Record<string, number | string | boolean>;

export type ParsedFlags<S extends FlagSpec> = {
  [K in keyof S]: S[K] extends number ? number : S[K] extends boolean ? boolean : string;
};

/** A bad command line: the runner prints the message without a stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `--flag value` (or `--flag=value`) pairs over `defaults`. A boolean flag may stand alone
 * (`--flag` is true). Unknown flags, positional words and non-numbers for numeric flags are
 * refused: a typo must not silently run the default benchmark for minutes.
 */
export function parseArgs<S extends FlagSpec>(argv: readonly string[], defaults: S): ParsedFlags<S> {
  const out: Record<string, number | string | boolean> = { ...defaults };
  const known = Object.keys(defaults);
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(word);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(word)}; flags: ${describe(defaults)}`);
    const name = m[1]!;
    if (!known.includes(name)) throw new UsageError(`unknown flag --${name}; flags: ${describe(defaults)}`);
    const fallback = defaults[name];
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (typeof fallback === 'boolean' && (next === undefined || next.startsWith('--'))) {
        out[name] = true;
        continue;
      }
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    out[name] = coerce(name, value, fallback);
  }
  return out as ParsedFlags<S>;
}

function coerce(name: string, value: string, fallback: unknown): number | string | boolean {
  if (typeof fallback === 'number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got ${JSON.stringify(value)}`);
    return n;
  }
  if (typeof fallback === 'boolean') {
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new UsageError(`--${name} expects true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

function describe(defaults: FlagSpec): string {
  return Object.entries(defaults)
    .map(([k, v]) => `--${k} (default ${JSON.stringify(v)})`)
    .join(', ');
}

/** Checks a numeric flag is a whole number within bounds (benches stay bounded in count and time). */
export function intInRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}
