/** True when `err` is Postgres' unique_violation (23505), optionally on a given constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.code ?? e.driverError?.code;
  const name = e.constraint ?? e.driverError?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** True when `err` is Postgres' lock_not_available (55P03): a `lock_timeout` or `NOWAIT` gave up. */
export function isLockNotAvailable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return (e.code ?? e.driverError?.code) === '55P03';
}

/** SQLSTATE classes that say nothing about the statement: the same statement may succeed later. */
const TRANSIENT_CLASSES = new Set([
  '08', // connection exception
  '40', // transaction rollback (serialization failure, deadlock)
  '53', // insufficient resources (disk full, out of memory, too many connections)
  '57', // operator intervention (admin shutdown, query canceled, cannot connect now)
  '58', // system error (I/O)
  'XX', // internal error
]);

interface PgDatabaseError {
  code?: unknown;
  severity?: unknown;
}

/**
 * Postgres' SQLSTATE of `err` (a TypeORM QueryFailedError or pg's own error), or undefined for
 * anything the server did not answer: a socket error (`EPIPE` is five letters too, hence the
 * `severity` only a server error carries), a timeout of our own.
 */
export function sqlState(err: unknown): string | undefined {
  const outer = err as (PgDatabaseError & { driverError?: PgDatabaseError }) | null;
  for (const e of [outer, outer?.driverError]) {
    if (typeof e?.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/**
 * Whether retrying the same statement can succeed: no SQLSTATE (the connection failed, or no
 * answer in time), one of {@link TRANSIENT_CLASSES}, or a lock that was not available. A data
 * exception (`22…`) or a constraint violation (`23…`) will fail the same way every time.
 */
export function isTransientDbError(err: unknown): boolean {
  const code = sqlState(err);
  return code === undefined || code === '55P03' || TRANSIENT_CLASSES.has(code.slice(0, 2));
}

/** Socket-level failures of the driver: the server was never asked, or the answer never came. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// `Query read timeout`: no answer within the data path's `query_timeout` (infra/database.ts).
const NETWORK_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i;

/**
 * Whether `err` says Postgres cannot be reached (as opposed to a bug or a refused statement):
 * a connection exception (SQLSTATE 08…), the server shutting down (57P01-57P03), the driver's
 * own socket errors, or no answer within the data path's bound (a silent outage). Used to answer UNAVAILABLE instead of INTERNAL_SERVER_ERROR.
 */
export function isPostgresUnreachable(err: unknown): boolean {
  const code = sqlState(err);
  if (code !== undefined) return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
  const outer = err as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | null;
  for (const e of [outer, outer?.driverError]) {
    if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    if (typeof e?.message === 'string' && NETWORK_MESSAGES.test(e.message)) return true;
  }
  return false;
}
