import type { WebSocket } from 'ws';

/**
 * Largest message a socket takes before its connection_init is accepted: the init message
 * carries a token, not a prompt. Anyone can open a socket; only an authenticated one may send
 * MAX_REQUEST_BYTES at a time.
 */
export const PRE_AUTH_MESSAGE_BYTES = 64 * 1024;

/**
 * Sets the largest message this socket's receiver takes. ws has one `maxPayload` per server and
 * no public setter; its Receiver reads `_maxPayload` on every frame header (ws 8.x,
 * lib/receiver.js haveLength), so the limit can change per socket once the peer is known.
 * test/integration/ws-pipeline.int.test.ts checks both limits against a real socket.
 */
export function setMessageLimit(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
}
