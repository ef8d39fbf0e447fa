/**
 * How the gateway writes to its WebSocket clients: batched per loop turn, with back-pressure,
 * and, for the events of pass-through subscriptions, framed here in one buffer each.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { EventSink } from './pass-through-subscribe';

/** Below this many unsent bytes on a socket, a send counts as done at once (see batchSends). */
export const SEND_HIGH_WATER = 1024 * 1024;

function rawSocket(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/**
 * graphql-ws awaits each message's write before it pulls a subscription's next event, so every
 * event cost its own write(2), even when one upstream read carried several deltas and ten
 * subscriptions share the socket. Here a socket stays corked until the loop's check phase, so
 * what the loop produced in one turn leaves in one write, and a send counts as done at once
 * while less than SEND_HIGH_WATER is buffered: a slow client still holds its subscriptions back
 * beyond that (the real write callback), without the gateway buffering without bound.
 */
export function batchSends(ws: WebSocket): void {
  const raw = rawSocket(ws);
  if (!raw) return;
  const send = ws.send.bind(ws) as (data: string, cb?: (err?: Error) => void) => void;
  (ws as unknown as { send: (data: string, cb?: (err?: Error) => void) => void }).send = (data, cb) => {
    corkForThisTurn(raw);
    if (cb && ws.bufferedAmount < SEND_HIGH_WATER) {
      send(data, ignoreSendError);
      cb();
    } else send(data, cb);
  };
}

const corked = new WeakSet<Socket>();

/** Corks `raw` until the loop's check phase (once per turn). */
function corkForThisTurn(raw: Socket): void {
  if (corked.has(raw) || raw.destroyed) return;
  corked.add(raw);
  raw.cork();
  setImmediate(() => {
    corked.delete(raw);
    raw.uncork();
  });
}

function ignoreSendError(): void {
  // The socket's close event ends its subscriptions; nothing to do per message.
}

/**
 * Sends a subscription's `next` messages as graphql-ws would (`{"id","type":"next","payload"}`),
 * built from a prefix made once per subscription. Without a negotiated extension (we offer
 * none) ws writes a text frame straight to the socket, header and payload as two writes; here
 * it is one buffer, written to the same socket in the same order as ws's own frames.
 */
export function socketSink(ws: WebSocket, id: string): EventSink {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":{"data":{`;
  let key = '';
  let head = '';
  // Both are settled by the handshake, before any subscription: not looked up per event
  // (`extensions` joins the negotiated names anew on every read).
  const raw = rawSocket(ws);
  const direct = raw !== undefined && ws.extensions === '';
  return {
    next: (responseKey, json) => {
      if (ws.readyState !== ws.OPEN) return true; // closing: graphql-ws ends the subscription
      if (responseKey !== key) head = `${prefix}${JSON.stringify((key = responseKey))}:`;
      const message = `${head}${json}}}}`;
      if (direct) {
        corkForThisTurn(raw);
        raw.write(textFrame(message));
      } else ws.send(message);
      return ws.bufferedAmount < SEND_HIGH_WATER;
    },
    drained: () => {
      if (!raw || ws.readyState !== ws.OPEN || ws.bufferedAmount < SEND_HIGH_WATER) return Promise.resolve();
      return new Promise((resolve) => {
        const go = () => {
          raw.off('drain', go);
          ws.off('close', go);
          resolve();
        };
        raw.on('drain', go);
        ws.on('close', go);
      });
    },
  };
}

/** A final, unmasked text frame (RFC 6455 §5.2), as a server sends it. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headLength + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, headLength, 'utf8');
  return frame;
}
