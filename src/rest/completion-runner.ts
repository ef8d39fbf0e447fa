import type { ServerResponse } from 'node:http';
import { AppError } from '../errors/app-error';
import { ChatEventType, type ChatCompletionEventType } from '../modules/chat/chat-event.type';
import type { ChatStreamItem } from '../modules/chat/chat.service';
import { keyServedHeaders } from './key-headers';
import { SseWriter } from './sse-writer';

/** How one wire format renders the event stream as SSE text (complete events, blank-line ended). */
export interface StreamRendering {
  /** SSE text for one event ('' for none). */
  event(ev: ChatCompletionEventType): string;
  /** SSE text for a failure after the stream opened (HTTP is already 200). */
  error(err: AppError): string;
  /** SSE text that closes a successful stream (OpenAI's `data: [DONE]`). */
  end(): string;
  /** SSE text written while the provider is silent; a comment when unset. */
  keepAlive?: string;
}

/** Writes a failure before anything was sent, in the door's error shape and status. */
export type ErrorResponder = (res: ServerResponse, err: AppError, headers: Record<string, string>) => void;

/**
 * Relays a completion as SSE. Headers wait for START (they name the key that serves it), so a
 * failure before START is an ordinary error response with its status. Each event is written as
 * soon as it arrives; when the socket buffer is full the next event is not pulled until it
 * drains. The caller's signal (client gone) has already been handed to the service, which
 * aborts upstream at once; here we only stop writing.
 */
export async function streamCompletion(
  res: ServerResponse,
  items: AsyncGenerator<ChatStreamItem>,
  requestId: string,
  wire: StreamRendering,
  respondError: ErrorResponder,
  keepAliveMs?: number,
): Promise<void> {
  try {
    const first = await items.next();
    if (first.done) return respondError(res, internal(requestId), { 'x-request-id': requestId });
    if (first.value instanceof AppError) return respondError(res, first.value, { 'x-request-id': requestId });
    const sse = new SseWriter(res, keepAliveMs, wire.keepAlive);
    try {
      let pending = sse.open(keyServedHeaders(requestId, first.value.type === ChatEventType.START ? first.value : undefined), wire.event(first.value));
      if (pending) await pending;
      for await (const item of items) {
        if (sse.closed) return;
        if (item instanceof AppError) {
          void sse.send(wire.error(item)); // end() follows: nothing to wait for
          return;
        }
        pending = sse.send(wire.event(item));
        if (pending) await pending;
      }
      void sse.send(wire.end());
    } finally {
      sse.end();
    }
  } finally {
    // Ends the service's generator (and with it the upstream call) if we stopped early.
    await items.return(undefined);
  }
}

/** Every event of a completion, or the failure that ended it. */
export async function collectCompletion(items: AsyncGenerator<ChatStreamItem>): Promise<{ events: ChatCompletionEventType[]; error?: AppError }> {
  const events: ChatCompletionEventType[] = [];
  for await (const item of items) {
    if (item instanceof AppError) return { events, error: item };
    events.push(item);
  }
  return { events };
}

function internal(requestId: string): AppError {
  return new AppError('INTERNAL_SERVER_ERROR', `The completion ended without any event (request id ${requestId})`);
}
