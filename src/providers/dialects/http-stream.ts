/**
 * Shared HTTP plumbing of the three SSE dialects: headers, fetch, error mapping before the first
 * byte, then bytes → SSE events (sse-parser) → dialect normalizer → UpstreamEvents.
 */
import { UpstreamError } from '../types';
import type { UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { connectionError, connectionLostError, mapHttpError } from './http-error';
import { SseParser } from './sse-parser';
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
export function buildHeaders(req: UpstreamChatRequest): Headers {
  const headers = credentialHeaders(req.provider, req.credential, req.extraHeaders);
  headers.set('content-type', 'application/json');
  headers.set('accept', 'text/event-stream');
  return headers;
}

/**
 * POSTs `body` to `url` and resolves once the upstream answered 2xx. An AbortError (the
 * caller's signal) propagates untouched so the caller can tell an abort from a failure.
 */
export async function openSseStream(
  req: UpstreamChatRequest,
  url: string,
  body: unknown,
  normalizer: SseNormalizer,
): Promise<UpstreamStream> {
  const headers = buildHeaders(req);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: req.signal });
  } catch (err) {
    if (req.signal.aborted) throw err;
    throw connectionError(req.provider.name);
  }
  if (!response.ok) {
    const text = await readCapped(response, req.signal, ERROR_BODY_CAP);
    throw new UpstreamError(mapHttpError(req.provider, response.status, text), response.status, 'connect');
  }
  return { events: normalizedEvents(response.body, normalizer, req) };
}

async function readCapped(response: Response, signal: AbortSignal, cap: number): Promise<string> {
  const body = response.body;
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    while (size < cap) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.byteLength + size > cap ? value.subarray(0, cap - size) : value;
      size += part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
    return text + decoder.decode();
  } catch (err) {
    if (signal.aborted) throw err;
    return text; // the status alone decides; a broken error body is not worth failing over
  } finally {
    reader.cancel().catch(ignore);
  }
}

async function* normalizedEvents(
  body: ReadableStream<Uint8Array> | null,
  normalizer: SseNormalizer,
  req: UpstreamChatRequest,
): AsyncGenerator<UpstreamEvent> {
  const out: UpstreamEvent[] = [];
  if (!body) {
    normalizer.end(out);
    yield* out;
    return;
  }
  const reader = body.getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (req.signal.aborted) throw err;
        throw connectionLostError(req.provider.name);
      }
      const events = chunk.done ? parser.end() : parser.push(chunk.value);
      for (const event of events) {
        // Yield per SSE event, so deltas before an in-stream error reach the consumer first.
        const terminated = normalizer.push(event, out);
        if (terminated) normalizer.end(out);
        yield* drain(out);
        if (terminated) return;
      }
      if (chunk.done) {
        normalizer.end(out);
        yield* drain(out);
        return;
      }
    }
  } finally {
    // Early return() by the consumer, an error or a terminator before EOF: cancelling the body
    // closes the socket, so no tokens keep flowing (and billing) upstream.
    reader.cancel().catch(ignore);
  }
}

function drain(out: UpstreamEvent[]): UpstreamEvent[] {
  if (out.length === 0) return out;
  const batch = out.slice();
  out.length = 0;
  return batch;
}

function ignore(): void {
  // cancel() rejects when the stream already errored; nothing left to release then.
}
