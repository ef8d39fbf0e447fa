import { ChatEventType, type ChatCompletionEventType } from '../modules/chat/chat-event.type';

/**
 * Response headers that tell the user which key served (ARCHITECTURE.md "Front doors"), from
 * the START event; for a stream they describe the key that opened it. Absent values (the
 * platform key has no id or hint) are left out rather than sent empty.
 */
export function keyServedHeaders(requestId: string, start: ChatCompletionEventType | undefined): Record<string, string> {
  const h: Record<string, string> = { 'x-request-id': requestId };
  if (start?.type !== ChatEventType.START) return h;
  if (start.provider) h['x-byok-provider'] = start.provider;
  if (start.keySource) h['x-byok-key-source'] = start.keySource;
  if (start.keyId) h['x-byok-key-id'] = start.keyId;
  if (start.keyHint) h['x-byok-key-hint'] = headerSafe(start.keyHint);
  return h;
}

/**
 * Hints use "…" (`sk-…f3a9`), which HTTP header values cannot carry (Node refuses anything
 * past Latin-1, and clients read bytes as Latin-1): "..." instead, and any other non-ASCII
 * character percent-encoded.
 */
export function headerSafe(value: string): string {
  return value.replace(/\u2026/g, '...').replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
}
