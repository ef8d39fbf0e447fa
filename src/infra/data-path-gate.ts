import { unavailable } from '../errors/app-error';
import { isPostgresUnreachable } from './pg-errors';

/** Thrown instead of reading while Postgres was just found unreachable; `isPostgresUnreachable` says yes. */
export class PostgresRecentlyUnreachableError extends Error {
  readonly code = 'ECONNREFUSED';
  constructor() {
    super('Postgres was unreachable a moment ago; not asked again yet');
  }
}

/**
 * Fails the data path's reads fast while Postgres was found unreachable within `retryMs`, so
 * that through a silent outage each request does not wait out DB_DATA_PATH_TIMEOUT again before
 * its caller falls back to the last known state (issue 16). After `retryMs` one read at a time
 * asks Postgres again (the others keep failing fast until it answers); any answer, even an error
 * of the statement, closes the gate.
 */
export class DataPathGate {
  /** How long reads fail fast after Postgres was found unreachable: one read a second asks again. */
  static readonly RETRY_MS = 1000;

  private downSince: number | undefined;
  private retryAt = 0;
  private probing = false;

  constructor(
    private readonly retryMs = DataPathGate.RETRY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async read<T>(query: () => Promise<T>): Promise<T> {
    let probe = false;
    if (this.downSince !== undefined) {
      if (this.probing || this.now() < this.retryAt) throw new PostgresRecentlyUnreachableError();
      this.probing = probe = true;
    }
    try {
      const out = await query();
      this.downSince = undefined;
      return out;
    } catch (err) {
      if (isPostgresUnreachable(err)) {
        this.downSince ??= this.now();
        this.retryAt = this.now() + this.retryMs;
      } else {
        this.downSince = undefined;
      }
      throw err;
    } finally {
      if (probe) this.probing = false;
    }
  }

  /**
   * `read`, or, when Postgres cannot be reached, what `lastKnown` still holds (the caller's last
   * known state, within its own staleness bound); with nothing known, UNAVAILABLE naming `what`.
   * The one fallback of the data path's token checks, membership checks and key loads (issue 16):
   * a caller keeps whatever it remembers inside `query`, so a served last known state is never
   * remembered again as if it were fresh.
   */
  async readOrLastKnown<T>(query: () => Promise<T>, lastKnown: () => T | undefined, what: string): Promise<T> {
    try {
      return await this.read(query);
    } catch (err) {
      if (!isPostgresUnreachable(err)) throw err;
      const known = lastKnown();
      if (known !== undefined) return known;
      throw unavailable('postgres', what);
    }
  }
}
