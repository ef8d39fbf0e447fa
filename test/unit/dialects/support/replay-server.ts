/**
 * A tiny local HTTP/1 server for adapter tests: records each request and answers with the
 * bytes it is given, one write per chunk, so the client sees the stream cut where we choose.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the server received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Which connection carried it (1, 2, … in the order they were accepted). */
  connection: number;
}

/** How to answer one request. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  chunks: readonly Uint8Array[];
  /** Leave the response open after the last chunk (abort tests). */
  holdOpen?: boolean;
  /** Wait this long between the last chunk and the end of the response. */
  endAfterMs?: number;
}

export type ReplyFn = (req: RecordedRequest) => Reply;

/** The server plus what it saw. */
export class ReplayServer {
  readonly requests: RecordedRequest[] = [];
  /** Resolves when the socket that carried the latest request closes. */
  lastSocketClosed: Promise<void> = Promise.resolve();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private accepted = 0;
  /** One close promise per connection: fetch reuses keep-alive sockets across requests. */
  private readonly closed = new WeakMap<Socket, Promise<void>>();
  private readonly connectionIds = new WeakMap<Socket, number>();

  constructor(private reply: ReplyFn) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      this.connectionIds.set(socket, ++this.accepted);
      this.closed.set(socket, new Promise((resolve) => socket.once('close', () => resolve())));
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Replaces the answer for the next requests. */
  answer(reply: ReplyFn): void {
    this.reply = reply;
  }

  /** Starts listening on 127.0.0.1 and returns the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.lastSocketClosed = this.closed.get(req.socket) ?? Promise.resolve();
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(parts).toString('utf8'),
      connection: this.connectionIds.get(req.socket) ?? 0,
    };
    this.requests.push(recorded);
    const reply = this.reply(recorded);
    res.writeHead(reply.status ?? 200, reply.headers ?? { 'content-type': 'text/event-stream' });
    for (const chunk of reply.chunks) {
      if (res.destroyed) return;
      res.write(chunk);
      // Let each write leave as its own TCP segment, so the client reads the cuts we chose.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (reply.holdOpen) return;
    if (reply.endAfterMs) await new Promise((resolve) => setTimeout(resolve, reply.endAfterMs));
    res.end();
  }
}
