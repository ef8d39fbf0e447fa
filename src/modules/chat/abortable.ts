/**
 * Adapts a generator that takes an AbortSignal into the iterator a subscription returns, so
 * that the client unsubscribing (or its socket dropping) aborts the work at once: return()
 * aborts the signal first, which makes a pending upstream read fail immediately, instead of
 * waiting for the generator's next yield as a plain async generator would. next() is the
 * generator's own (no promise of ours per event).
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const gen = start(controller.signal);
  let returned = false;
  const iterator: AsyncIterableIterator<T> = {
    next: () => gen.next(),
    return: () => {
      if (!returned) {
        returned = true;
        controller.abort(new Error('the client unsubscribed'));
        gen.return(undefined).catch(() => undefined);
      }
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
