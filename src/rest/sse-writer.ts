import type { ServerResponse } from 'node:http';

/** A comment line every this often while the provider is silent (long thinking), so proxies keep the stream. */
export const KEEP_ALIVE_MS = 15_000;

const KEEP_ALIVE = ': keep-alive\n\n';

/**
 * Server-sent events onto one HTTP response. Back-pressure: `send` returns a promise only when
 * the socket buffer is full (the caller awaits it before pulling the next event, so a slow
 * reader slows the upstream read instead of growing memory). Keep-alive comments go out only
 * after `keepAliveMs` without any write (a timer refreshed per write, not a per-tick check).
 */
export class SseWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly keepAliveMs = KEEP_ALIVE_MS,
    /** What a keep-alive writes: a comment, or the wire's own event (Anthropic's `ping`). */
    private readonly keepAliveText = KEEP_ALIVE,
  ) {}

  /**
   * Sends the status line and headers (the client sees the stream open) with `first` (the first
   * event's SSE text, may be '') and whatever else is written in this loop turn, in one write:
   * the socket stays corked until the check phase. The upstream's response head and first delta
   * usually arrive in one read, so the first delta then leaves with the head, one syscall and
   * packet instead of three. Later events are written as they come.
   */
  open(headers: Record<string, string>, first = ''): Promise<void> | undefined {
    this.res.cork();
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
      ...headers,
    });
    this.res.flushHeaders();
    this.timer = setTimeout(() => this.keepAlive(), this.keepAliveMs);
    this.timer.unref();
    const pending = this.send(first);
    // After end() (which uncorks fully) or on a detached response this is a no-op.
    setImmediate(() => this.res.uncork());
    return pending;
  }

  /**
   * Writes complete SSE text (one or more events, each ending in a blank line); a promise when
   * the reader is behind (wait for it before producing more).
   */
  send(frames: string): Promise<void> | undefined {
    return frames === '' ? undefined : this.write(frames);
  }

  /** Ends the stream (idempotent). */
  end(): void {
    this.stopTimer();
    if (!this.res.writableEnded) this.res.end();
  }

  /** True once the client went away or the stream was ended. */
  get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  private write(text: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.timer?.refresh();
    if (this.res.write(text)) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private keepAlive(): void {
    if (this.closed) return this.stopTimer();
    void this.write(this.keepAliveText);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * An AbortSignal that fires when the client goes away before the response is complete (socket
 * closed, request aborted): the completion's upstream request is aborted at once with it.
 */
export function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
