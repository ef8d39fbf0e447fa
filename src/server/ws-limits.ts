import type { WebSocket } from 'ws';
import type { Logger } from '../infra/logger';

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

/**
 * A client that breaks the WebSocket protocol (a message over the limit, invalid UTF-8, a bad
 * frame) is closed by ws itself with the status RFC 6455 gives (1009, 1007, 1002), then ws emits
 * the error. graphql-ws answers every socket error by printing it to stderr with a stack, and a 4500
 * close: for a client's mistake that is noise any client could flood stderr with. Such errors
 * (ws's `WS_ERR_*` codes) stop here, logged at debug; anything else goes on to graphql-ws.
 */
export function quietProtocolErrors(ws: WebSocket, logger: Logger): void {
  const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
  (ws as unknown as { emit: typeof emit }).emit = (event, ...args) => {
    const code = (args[0] as { code?: unknown } | undefined)?.code;
    if (event === 'error' && typeof code === 'string' && code.startsWith('WS_ERR_')) {
      logger.debug({ code }, 'WebSocket closed: the client broke the protocol');
      return true;
    }
    return emit(event, ...args);
  };
}
