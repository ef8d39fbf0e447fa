import { AppError } from '../../errors/app-error';

/** The reason an attempt's AbortController is aborted with when a deadline passes. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * The first-byte and idle deadlines of one upstream stream, kept by its consumer's loop:
 * `received()` when an event arrives, `waiting()` when it asks for the next one. The idle time
 * counts only while waiting, so a slow consumer is not an idle upstream. When a deadline passes,
 * `controller` is aborted with a {@link DeadlineError}, which fails the pending read;
 * {@link deadlineOr} turns that into UPSTREAM_ERROR naming the limit. One timer per stream: an
 * event only notes the time, and the timer, when it fires, either aborts or re-arms for what is
 * left (a timer set and cleared per delta cost more than the delta). Not a generator wrapping
 * the events: that layer cost promises on every delta.
 */
export class StreamDeadlines {
  private waitingSince: number | null;
  private limitMs: number;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly controller: AbortController,
    firstMs: number,
    private readonly idleMs: number,
    private readonly providerName: string,
  ) {
    this.limitMs = firstMs;
    this.waitingSince = performance.now();
    this.timer = setTimeout(this.check, firstMs);
  }

  /** An event arrived: the consumer's time is its own until it asks again. */
  received(): void {
    this.waitingSince = null;
  }

  /** The consumer asks for the next event: the idle deadline counts from now. */
  waiting(): void {
    this.waitingSince = performance.now();
    if (this.limitMs !== this.idleMs) {
      // After the first event: the pending timer was set for the first-byte deadline.
      this.limitMs = this.idleMs;
      clearTimeout(this.timer);
      this.timer = setTimeout(this.check, this.idleMs);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private readonly check = (): void => {
    if (this.waitingSince === null) {
      this.timer = setTimeout(this.check, this.limitMs);
      return;
    }
    const left = this.waitingSince + this.limitMs - performance.now();
    if (left > 1) this.timer = setTimeout(this.check, left);
    else this.controller.abort(new DeadlineError(`${this.providerName} sent nothing for ${this.limitMs} ms`));
  };
}

/** If the controller fired for a deadline, the coded error for it; else `err` unchanged. */
export function deadlineOr(controller: AbortController, err: unknown): unknown {
  const reason: unknown = controller.signal.reason;
  return reason instanceof DeadlineError ? new AppError('UPSTREAM_ERROR', reason.message) : err;
}
