import type { Redis } from 'ioredis';
import type { Logger } from './logger';

const MAX_BUFFERED = 1000;

/**
 * Cross-instance events over Redis pub/sub: one subscriber connection per process, fanned out
 * locally. Payloads carry ids only (never secrets); subscribers re-read what they show.
 */
export class RedisPubSub {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly subscribing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        return;
      }
      for (const fn of set) fn(payload);
    });
  }

  private channel(topic: string): string {
    return `${this.prefix}:events:${topic}`;
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    await this.publisher.publish(this.channel(topic), JSON.stringify(payload));
  }

  /** Several payloads in one round trip (a pipeline): one command each would cost a write each. */
  async publishAll(topic: string, payloads: readonly unknown[]): Promise<void> {
    if (payloads.length === 0) return;
    const channel = this.channel(topic);
    const pipeline = this.publisher.pipeline();
    for (const p of payloads) pipeline.publish(channel, JSON.stringify(p));
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  /**
   * Calls `fn` with every payload of `topic` heard by this process (a process-wide listener, not
   * a client subscription). `ready` resolves once Redis confirmed; `close` stops listening.
   */
  listen<P>(topic: string, fn: (payload: P) => void): { ready: Promise<void>; close(): void } {
    const channel = this.channel(topic);
    const listener = (p: unknown) => {
      try {
        fn(p as P);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, topic }, 'event listener failed');
      }
    };
    const ready = this.addListener(channel, listener);
    return { ready, close: () => this.removeListener(channel, listener) };
  }

  private addListener(channel: string, listener: (payload: unknown) => void): Promise<void> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      this.subscribing.set(channel, this.subscriber.subscribe(channel));
    }
    set.add(listener);
    return (this.subscribing.get(channel) ?? Promise.resolve()).then(() => undefined);
  }

  private removeListener(channel: string, listener: (payload: unknown) => void): void {
    const s = this.listeners.get(channel);
    s?.delete(listener);
    if (s && s.size === 0) {
      this.listeners.delete(channel);
      this.subscribing.delete(channel);
      this.subscriber.unsubscribe(channel).catch((err: Error) => this.logger.debug({ err: err.message }, 'unsubscribe failed'));
    }
  }

  /**
   * Payloads of `topic`, each passed through `map` (undefined drops it), as an async iterator
   * whose return() unsubscribes at once, even while waiting (an async generator would only see
   * it at its next yield, keeping idle subscriptions alive). `ready` resolves once Redis
   * confirmed the subscription.
   */
  subscribe<P, T>(topic: string, map: (payload: P) => Promise<T | undefined>): AsyncIterableIterator<T> & { ready: Promise<void> } {
    const channel = this.channel(topic);
    const buffer: T[] = [];
    let waiting: ((r: IteratorResult<T>) => void) | undefined;
    let closed = false;
    const listener = (p: unknown) => {
      map(p as P).then(
        (value) => {
          if (value === undefined || closed) return;
          if (waiting) {
            const w = waiting;
            waiting = undefined;
            w({ value, done: false });
          } else if (buffer.push(value) > MAX_BUFFERED) buffer.shift();
        },
        (err: Error) => this.logger.warn({ err: err.message, topic }, 'subscription event dropped'),
      );
    };
    const ready = this.addListener(channel, listener);
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.removeListener(channel, listener);
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    };
    const iterator = {
      ready,
      next: (): Promise<IteratorResult<T>> => {
        const value = buffer.shift();
        if (value !== undefined) return Promise.resolve({ value, done: false });
        if (closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (waiting = resolve));
      },
      return: (): Promise<IteratorResult<T>> => {
        close();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
