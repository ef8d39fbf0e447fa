import { AppError } from '../../errors/app-error';

/** The reason an attempt's AbortController is aborted with when a deadline passes. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * Yields `events`, aborting `controller` if the first event takes longer than `firstMs` or any
 * later one longer than `idleMs`; the resulting failure becomes UPSTREAM_ERROR naming the limit.
 */
export async function* withDeadlines<T>(
  events: AsyncIterable<T>,
  controller: AbortController,
  firstMs: number,
  idleMs: number,
  providerName: string,
): AsyncGenerator<T> {
  const it = events[Symbol.asyncIterator]();
  let first = true;
  try {
    for (;;) {
    const ms = first ? firstMs : idleMs;
    const timer = setTimeout(() => controller.abort(new DeadlineError(`${providerName} sent nothing for ${ms} ms`)), ms);
    let r: IteratorResult<T>;
    try {
      r = await it.next();
    } catch (err) {
      throw deadlineOr(controller, err);
    } finally {
      clearTimeout(timer);
    }
    if (r.done) return;
    first = false;
    yield r.value;
    }
  } finally {
    // Stopped early (abort, error downstream): close the upstream body so its socket closes.
    await it.return?.().catch(() => undefined);
  }
}

/** If the controller fired for a deadline, the coded error for it; else `err` unchanged. */
export function deadlineOr(controller: AbortController, err: unknown): unknown {
  const reason: unknown = controller.signal.reason;
  return reason instanceof DeadlineError ? new AppError('UPSTREAM_ERROR', reason.message) : err;
}
