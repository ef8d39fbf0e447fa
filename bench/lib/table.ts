/** A cell: numbers are right-aligned, everything else left-aligned. */
export type Cell = string | number | null | undefined;

/** Formats a number with a fixed number of decimals; `–` for a missing value. */
export function fmt(value: number | null | undefined, decimals = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toFixed(decimals);
}

/**
 * Renders rows of records as an aligned text table under a title. Columns are the keys of the
 * first row unless given (so a caller can order them); missing cells print as `–`.
 */
export function formatTable(title: string, rows: ReadonlyArray<Record<string, Cell>>, columns?: readonly string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const text = (c: Cell): string => (c === null || c === undefined ? '–' : String(c));
  const numeric = cols.map((col) => rows.length > 0 && rows.every((r) => typeof r[col] === 'number' || isNumberLike(r[col])));
  const widths = cols.map((col) => Math.max(col.length, ...rows.map((r) => text(r[col]).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [title, line([...cols]), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(cols.map((col) => text(r[col]))));
  if (rows.length === 0) out.push('(no rows)');
  return out.join('\n');
}

/** Prints {@link formatTable} with a blank line before it. */
export function printTable(title: string, rows: ReadonlyArray<Record<string, Cell>>, columns?: readonly string[]): void {
  console.log(`\n${formatTable(title, rows, columns)}`);
}

/** Pre-formatted numbers (`fmt(...)`) and `–` align like numbers. */
function isNumberLike(c: Cell): boolean {
  return typeof c === 'string' && (/^-?\d+(\.\d+)?$/.test(c) || c === '–');
}
