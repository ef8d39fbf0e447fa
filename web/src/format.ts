/** Display helpers: money from micro-USD, token counts, times in the user's locale. */

export function usd(microUsd: number): string {
  const dollars = microUsd / 1_000_000;
  const digits = dollars !== 0 && Math.abs(dollars) < 0.01 ? 6 : 2;
  return `$${dollars.toFixed(digits)}`;
}

/** Short money for chart axes: two significant digits under a dollar ($0.015), cents above. */
export function usdShort(microUsd: number): string {
  const dollars = microUsd / 1_000_000;
  if (dollars === 0) return '$0';
  return Math.abs(dollars) >= 1 ? `$${dollars.toFixed(2)}` : `$${Number(dollars.toPrecision(2))}`;
}

export function tokens(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function when(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** yyyy-mm-dd of a Date in UTC (the API's buckets are UTC). */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
