/**
 * Shared HTTP plumbing of the three SSE dialects: headers, fetch, error mapping before the first
 * byte, then bytes → SSE events (sse-parser) → dialect normalizer → UpstreamEvents.
 */
import { UpstreamError } from '../types';
import type { UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { connectionError, connectionLostError, mapHttpError } from './http-error';
import { SseParser } from './sse-parser';
import { EventQueue } from './event-queue';
import { postForStream, readCapped, type StreamingResponse } from './http-client';
import type { IncomingMessage } from 'node:http';
import { credentialHeaders } from '../auth-headers';
import type { SseEvent } from './sse-parser';

/** Turns one dialect's SSE events into normalized events. One instance per stream. */
export interface SseNormalizer {
  /**
   * Handles one SSE event, appending normalized events to `out`. Returns true when the dialect's
   * terminator arrived (`[DONE]`, `message_stop`). Throws an UpstreamError (phase midstream) for
   * an in-stream error event.
   */
  push(event: SseEvent, out: UpstreamEvent[]): boolean;
  /** Called once, at the terminator or at EOF: flushes what was deferred (the finish event). */
  end(out: UpstreamEvent[]): void;
}

/** `base` + `path`, tolerating an operator-set base URL that ends in `/`. */
export function joinUrl(base: string, path: string): string {
  let end = base.length;
  while (end > 0 && base.charCodeAt(end - 1) === 47) end -= 1;
  return base.slice(0, end) + path;
}

/** Upper bound on an error body we read: enough for any provider's error JSON. */
const ERROR_BODY_CAP = 16 * 1024;

/** Request headers of a streaming call: see credentialHeaders, plus the SSE content types. */
export function buildHeaders(req: UpstreamChatRequest): Record<string, string> {
  const headers = credentialHeaders(req.provider, req.credential, req.extraHeaders);
  headers['content-type'] = 'application/json';
  headers.accept = 'text/event-stream';
  return headers;
}

/**
 * POSTs `body` to `url` and resolves once the upstream answered 2xx. An abort (the caller's
 * signal) propagates as the signal's reason so the caller can tell an abort from a failure.
 */
export async function openSseStream(
  req: UpstreamChatRequest,
  url: string,
  body: unknown,
  normalizer: SseNormalizer,
): Promise<UpstreamStream> {
  const headers = buildHeaders(req);
  const text = JSON.stringify(body);
  // Built while the caller's gate is pending (UpstreamChatRequest.ready); sent only after it.
  if (req.ready) {
    await req.ready;
    if (req.signal.aborted) throw req.signal.reason;
  }
  let response: StreamingResponse;
  try {
    response = await postForStream(url, headers, text, req.signal);
  } catch (err) {
    if (req.signal.aborted) throw req.signal.reason ?? err;
    throw connectionError(req.provider.name);
  }
  if (response.status < 200 || response.status > 299) {
    const text = await readCapped(response.body, ERROR_BODY_CAP);
    if (req.signal.aborted) throw req.signal.reason;
    throw new UpstreamError(mapHttpError(req.provider, response.status, text, req.credential), response.status, 'connect');
  }
  return { events: normalizedEvents(response.body, normalizer, req) };
}

/** How long the rest of a body may take to end after the dialect's terminator. */
const TAIL_MS = 2000;

/**
 * The body, read in flowing mode ('data' events: Node's cheapest read path), parsed and
 * normalized synchronously into an {@link EventQueue}. Events before an in-stream error reach
 * the consumer first; an error or the consumer's return() closes the body before EOF, so its
 * socket closes and no tokens keep flowing (and billing) upstream. After the terminator
 * (`[DONE]`, `message_stop`) the rest of the body, normally just the end of the chunked
 * encoding in the next read, is read and dropped, so the socket goes back to the keep-alive
 * pool: closing it there made every completion pay a new connection.
 */
function normalizedEvents(body: IncomingMessage, normalizer: SseNormalizer, req: UpstreamChatRequest): EventQueue<UpstreamEvent> {
  const parser = new SseParser();
  const out: UpstreamEvent[] = [];
  let settled = false;
  const close = () => {
    settled = true;
    body.off('data', onData);
    if (!body.complete) body.destroy();
  };
  const readTail = () => {
    settled = true;
    body.off('data', onData);
    if (body.complete) return;
    const timer = setTimeout(() => body.destroy(), TAIL_MS);
    timer.unref();
    body.once('close', () => clearTimeout(timer));
    body.resume(); // flowing without a 'data' listener: read and dropped, even if the queue paused it
  };
  const queue = new EventQueue<UpstreamEvent>({ pause: () => body.pause(), resume: () => body.resume(), cancel: close });
  const emit = (events: readonly SseEvent[], eof: boolean): void => {
    try {
      for (const event of events) {
        if (normalizer.push(event, out)) {
          normalizer.end(out);
          flush(out, queue);
          queue.end();
          readTail();
          return;
        }
      }
      if (eof) normalizer.end(out);
    } catch (err) {
      flush(out, queue);
      queue.fail(err);
      close();
      return;
    }
    flush(out, queue);
    if (eof) {
      settled = true;
      queue.end();
    }
  };
  const onData = (chunk: Buffer) => emit(parser.push(chunk), false);
  body.on('data', onData);
  body.once('end', () => {
    if (!settled) emit(parser.end(), true);
  });
  const lost = (err?: unknown) => {
    if (settled) return;
    settled = true;
    if (req.signal.aborted) queue.fail(req.signal.reason ?? err);
    else queue.fail(connectionLostError(req.provider.name));
    if (!body.complete) body.destroy();
  };
  body.once('error', lost);
  // A socket closed before the end of the body, without an error event of its own.
  body.once('close', () => {
    if (!body.complete) lost();
  });
  return queue;
}

/** Moves what the normalizer produced into the queue (a plain loop; `out` is reused). */
function flush(out: UpstreamEvent[], queue: EventQueue<UpstreamEvent>): void {
  for (let i = 0; i < out.length; i++) queue.push(out[i]!);
  out.length = 0;
}
