/**
 * A single-consumer queue that a push source (a socket's 'data' handler) fills synchronously and
 * one `for await` reads. It replaces a chain of async generators over the body's own async
 * iterator: each of those layers cost promises and microtask hops on every delta, which made
 * them the largest part of a streaming gateway's CPU at 1000 concurrent streams
 * (bench/README.md "stream"). Here an event costs one promise, resolved by the push.
 */

/** What the queue asks of its source. */
export interface QueueSource {
  /** Stop delivering for now: more than the high-water mark waits unread. */
  pause(): void;
  /** Deliver again: the consumer caught up. */
  resume(): void;
  /** The consumer stopped early (return()): release the source (close the socket). */
  cancel(): void;
}

/** Buffered events beyond which the source is paused (a consumer slower than its upstream). */
const HIGH_WATER = 64;

export class EventQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void } | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private paused = false;
  private closed = false;

  constructor(private readonly source: QueueSource) {}

  /** The source's next event. Ignored once the queue ended or the consumer left. */
  push(item: T): void {
    if (this.ended || this.closed) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.paused && this.items.length - this.head >= HIGH_WATER) {
      this.paused = true;
      this.source.pause();
    }
  }

  /** No more events: the consumer gets what is buffered, then done. */
  end(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.settle();
  }

  /** The stream failed: the consumer gets what is buffered, then `error`. */
  fail(error: unknown): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.failure = { error };
    this.settle();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
        if (this.paused && !this.ended) {
          this.paused = false;
          this.source.resume();
        }
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended || this.closed) return this.finish();
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The consumer stops early: the source is cancelled, buffered events are dropped. */
  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.items = [];
      this.head = 0;
      if (!this.ended) this.source.cancel();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settle(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    const f = this.failure;
    this.failure = undefined;
    if (f) w.reject(f.error);
    else w.resolve({ value: undefined, done: true });
  }

  private finish(): Promise<IteratorResult<T>> {
    const f = this.failure;
    if (f && !this.closed) {
      this.failure = undefined; // reported once; later calls see a plain end
      return Promise.reject(f.error);
    }
    return Promise.resolve({ value: undefined, done: true });
  }
}
