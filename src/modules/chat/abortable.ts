/**
 * Adapts a generator that takes an AbortSignal into the iterator a subscription returns, so
 * that the client unsubscribing (or its socket dropping) aborts the work at once: return()
 * aborts the signal first, which makes a pending upstream read fail immediately, instead of
 * waiting for the generator's next yield as a plain async generator would.
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const gen = start(controller.signal);
  let finished = false;
  const done = (): Promise<IteratorResult<T>> => Promise.resolve({ value: undefined, done: true });
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      if (finished) return done();
      return gen.next().then((r) => {
        if (r.done) finished = true;
        return r;
      });
    },
    return: () => {
      if (!finished) {
        finished = true;
        controller.abort(new Error('the client unsubscribed'));
        gen.return(undefined).catch(() => undefined);
      }
      return done();
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
