import { AppError } from '../../errors/app-error';

/** The reason an attempt's AbortController is aborted with when a deadline passes. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * Yields `events`, aborting `controller` if the first event takes longer than `firstMs` or any
 * later one longer than `idleMs`; the resulting failure becomes UPSTREAM_ERROR naming the limit.
 * One timer per stream: an event only notes the time, and the timer, when it fires, either
 * aborts or re-arms for what is left (a timer set and cleared per delta cost more than the delta).
 */
export async function* withDeadlines<T>(
  events: AsyncIterable<T>,
  controller: AbortController,
  firstMs: number,
  idleMs: number,
  providerName: string,
): AsyncGenerator<T> {
  const it = events[Symbol.asyncIterator]();
  let waiting = true; // between asking for an event and getting it
  let limitMs = firstMs;
  let since = performance.now();
  const check = () => {
    const left = since + limitMs - performance.now();
    if (!waiting) timer = setTimeout(check, limitMs);
    else if (left > 1) timer = setTimeout(check, left);
    else controller.abort(new DeadlineError(`${providerName} sent nothing for ${limitMs} ms`));
  };
  let timer = setTimeout(check, limitMs);
  try {
    for (;;) {
      let r: IteratorResult<T>;
      try {
        r = await it.next();
      } catch (err) {
        throw deadlineOr(controller, err);
      }
      if (r.done) return;
      waiting = false;
      yield r.value;
      // Asked for the next event: the idle deadline counts from now.
      since = performance.now();
      waiting = true;
      if (limitMs !== idleMs) {
        // After the first event: the pending timer was set for the first-byte deadline.
        limitMs = idleMs;
        clearTimeout(timer);
        timer = setTimeout(check, idleMs);
      }
    }
  } finally {
    clearTimeout(timer);
    // Stopped early (abort, error downstream): close the upstream body so its socket closes.
    await it.return?.().catch(() => undefined);
  }
}

/** If the controller fired for a deadline, the coded error for it; else `err` unchanged. */
export function deadlineOr(controller: AbortController, err: unknown): unknown {
  const reason: unknown = controller.signal.reason;
  return reason instanceof DeadlineError ? new AppError('UPSTREAM_ERROR', reason.message) : err;
}
