/**
 * Usage records as Postgres holds them, read over a direct connection (never through the
 * bench's proxy, which may be cut): for the request ids the clients saw, how many landed and
 * how many more than once, with their statuses; and the rows whose request id no client saw.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';

export interface RecordCount {
  /** Request ids the clients saw (each should have exactly one record). */
  expected: number;
  /** Of those, how many have at least one record. */
  landed: number;
  /** Records beyond the first for one request id. */
  duplicated: number;
  /** Records by status (of the expected request ids). */
  byStatus: Record<string, number>;
  /** Records marked usage_estimated. */
  estimated: number;
  /** Records by error_code (null omitted). */
  byErrorCode: Record<string, number>;
  /** Σ output_tokens over the landed records. */
  outputTokens: number;
  /** Rows in usage_records whose request id no client saw (e.g. a stream that failed before its first event). */
  other: number;
}

interface Row {
  request_id: string;
  n: number;
  status: string;
  usage_estimated: boolean;
  error_code: string | null;
  output_tokens: number;
}

export async function countRecords(db: Client, requestIds: readonly string[]): Promise<RecordCount> {
  const { rows } = await db.query<Row>(
    `SELECT request_id::text, count(*)::int AS n, min(status::text) AS status, bool_or(usage_estimated) AS usage_estimated,
            min(error_code) AS error_code, sum(output_tokens)::int AS output_tokens
       FROM usage_records WHERE request_id = ANY($1::uuid[]) GROUP BY request_id`,
    [requestIds],
  );
  const total = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_records')).rows[0]!.n;
  const out: RecordCount = { expected: requestIds.length, landed: rows.length, duplicated: 0, byStatus: {}, estimated: 0, byErrorCode: {}, outputTokens: 0, other: 0 };
  let matched = 0;
  for (const r of rows) {
    matched += r.n;
    out.duplicated += r.n - 1;
    out.byStatus[r.status] = (out.byStatus[r.status] ?? 0) + 1;
    if (r.usage_estimated) out.estimated++;
    if (r.error_code) out.byErrorCode[r.error_code] = (out.byErrorCode[r.error_code] ?? 0) + 1;
    out.outputTokens += r.output_tokens;
  }
  out.other = total - matched;
  return out;
}

/**
 * Polls until every expected record landed (or `timeoutMs`), then waits `settleMs` more and counts
 * again, so a record written twice by a late retry or a second sweep shows up. `landedAfterMs` is
 * from `sinceMs` (Date.now() of the fault or heal) to the poll that saw the last one.
 */
export async function waitRecords(
  db: Client,
  requestIds: readonly string[],
  opts: { timeoutMs: number; settleMs: number; sinceMs: number },
): Promise<RecordCount & { landedAfterMs: number | null }> {
  const deadline = Date.now() + opts.timeoutMs;
  let landedAfterMs: number | null = null;
  for (;;) {
    const c = await countRecords(db, requestIds);
    if (c.landed >= c.expected) {
      landedAfterMs = Date.now() - opts.sinceMs;
      break;
    }
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  await sleep(opts.settleMs);
  return { ...(await countRecords(db, requestIds)), landedAfterMs };
}
