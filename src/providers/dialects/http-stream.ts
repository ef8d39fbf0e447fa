/**
 * Shared HTTP plumbing of the three SSE dialects: headers, fetch, error mapping before the first
 * byte, then bytes → SSE events (sse-parser) → dialect normalizer → UpstreamEvents.
 */
import { UpstreamError } from '../types';
import type { UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { connectionError, connectionLostError, mapHttpError } from './http-error';
import { SseParser } from './sse-parser';
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
  let response: StreamingResponse;
  try {
    response = await postForStream(url, headers, JSON.stringify(body), req.signal);
  } catch (err) {
    if (req.signal.aborted) throw req.signal.reason ?? err;
    throw connectionError(req.provider.name);
  }
  if (response.status < 200 || response.status > 299) {
    const text = await readCapped(response.body, ERROR_BODY_CAP);
    if (req.signal.aborted) throw req.signal.reason;
    throw new UpstreamError(mapHttpError(req.provider, response.status, text), response.status, 'connect');
  }
  return { events: normalizedEvents(response.body, normalizer, req) };
}

async function* normalizedEvents(body: IncomingMessage, normalizer: SseNormalizer, req: UpstreamChatRequest): AsyncGenerator<UpstreamEvent> {
  const out: UpstreamEvent[] = [];
  const parser = new SseParser();
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let chunk: IteratorResult<Buffer>;
      try {
        chunk = await chunks.next();
      } catch (err) {
        if (req.signal.aborted) throw req.signal.reason ?? err;
        throw connectionLostError(req.provider.name);
      }
      const events = chunk.done ? parser.end() : parser.push(chunk.value);
      for (const event of events) {
        // Yield per SSE event, so deltas before an in-stream error reach the consumer first.
        const terminated = normalizer.push(event, out);
        if (terminated) normalizer.end(out);
        for (const e of drain(out)) yield e;
        if (terminated) return;
      }
      if (chunk.done) {
        normalizer.end(out);
        for (const e of drain(out)) yield e;
        return;
      }
    }
  } finally {
    // Early return() by the consumer, an error or a terminator before EOF: destroying the body
    // closes the socket, so no tokens keep flowing (and billing) upstream.
    if (!body.complete) body.destroy();
  }
}

const NOTHING: readonly UpstreamEvent[] = Object.freeze([]);

/** Takes what `out` holds (a plain loop over it: `yield*` would wrap the array in an async iterator). */
function drain(out: UpstreamEvent[]): readonly UpstreamEvent[] {
  if (out.length === 0) return NOTHING;
  const batch = out.slice();
  out.length = 0;
  return batch;
}
