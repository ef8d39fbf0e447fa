/** Display helpers: money from micro-USD, token counts, times in the user's locale. */

export function usd(microUsd: number): string {
  const dollars = microUsd / 1_000_000;
  const digits = dollars !== 0 && Math.abs(dollars) < 0.01 ? 6 : 2;
  return `$${dollars.toFixed(digits)}`;
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
