/**
 * What the mock upstream does with a request, chosen by the key the request carries.
 * The scenario travels inside the key (see keys.ts), so a test picks behaviour simply by
 * storing a key made with `mockKey(provider, scenario)`.
 */

/** `flaky-N`: the first N requests carrying that exact key get a 500, later ones succeed. */
export type FlakyScenario = `flaky-${number}`;

export type Scenario =
  /** The provider accepts the key. */
  | 'good'
  /** The provider's own bad-key answer (providers.md), real status code. */
  | 'bad'
  /**
   * The provider-specific answer that looks like a failure but proves the key
   * (Fireworks Fire Pass 403, Kimi Code 403 on chat, MiniMax 404 on models, Z.ai 429 1113).
   * Providers without such a quirk treat it as `good`.
   */
  | 'quirk'
  /** 429 in the provider's body shape with `retry-after: 1` (STS: 400 Throttling, like AWS). */
  | 'ratelimited'
  /** 5xx in the provider's body shape (Anthropic 529 overloaded_error, Google 503). */
  | 'server-error'
  | FlakyScenario
  /** First byte delayed by the mock's `slowMs` (default 1500), then `good`. */
  | 'slow'
  /** Chat streams the dialect's mid-stream-error fixture (validation: `good`). */
  | 'midstream-error'
  /** Chat streams the no-usage fixture (validation: `good`). */
  | 'no-usage'
  /** The request is accepted and never answered until the socket closes. */
  | 'hang';

const SIMPLE_SCENARIOS = [
  'good',
  'bad',
  'quirk',
  'ratelimited',
  'server-error',
  'slow',
  'midstream-error',
  'no-usage',
  'hang',
] as const;

export function isScenario(value: string): value is Scenario {
  return (SIMPLE_SCENARIOS as readonly string[]).includes(value) || flakyCount(value) !== undefined;
}

/** N for `flaky-N` (0–99), undefined for any other string. */
export function flakyCount(value: string): number | undefined {
  const m = /^flaky-(\d{1,2})$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

export function flaky(n: number): FlakyScenario {
  if (!Number.isInteger(n) || n < 0 || n > 99) throw new RangeError(`flaky-N needs 0 <= N <= 99, got ${n}`);
  return `flaky-${n}`;
}

/**
 * Dash-free token for a scenario, used inside keys whose fields are dash-separated
 * (`server-error` → `servererror`, `flaky-2` → `flaky2`).
 */
export function scenarioToken(s: Scenario): string {
  return s.replace(/-/g, '');
}

export function scenarioFromToken(token: string): Scenario | undefined {
  const flakyMatch = /^flaky(\d{1,2})$/.exec(token);
  if (flakyMatch) return `flaky-${Number(flakyMatch[1])}`;
  return SIMPLE_SCENARIOS.find((s) => scenarioToken(s) === token);
}

/**
 * Four upper-case characters for AWS access key ids (AKIA + code + 12 random), where the
 * id's fixed length leaves no room for a readable scenario name.
 */
export function scenarioAwsCode(s: Scenario): string {
  const n = flakyCount(s);
  if (n !== undefined) return `FL${String(n).padStart(2, '0')}`;
  switch (s) {
    case 'good':
      return 'GOOD';
    case 'bad':
      return 'BADK';
    case 'quirk':
      return 'QURK';
    case 'ratelimited':
      return 'RATE';
    case 'server-error':
      return 'FIVE';
    case 'slow':
      return 'SLOW';
    case 'midstream-error':
      return 'MIDS';
    case 'no-usage':
      return 'NOUS';
    case 'hang':
      return 'HANG';
    default:
      throw new Error(`no AWS code for scenario ${s}`);
  }
}

export function scenarioFromAwsCode(code: string): Scenario | undefined {
  const m = /^FL(\d\d)$/.exec(code);
  if (m) return `flaky-${Number(m[1])}`;
  return SIMPLE_SCENARIOS.find((s) => scenarioAwsCode(s) === code);
}
