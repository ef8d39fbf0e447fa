import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { postForStream, readCapped } from '../../../src/providers/dialects/http-client';

/** A server that can drop a kept-alive socket on its second request, as an idle-timeout race does. */
function server(handle: (socketIndex: number, requestOnSocket: number, res: ServerResponse, socket: Socket) => void): Promise<{ url: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const perSocket = new Map<Socket, number>();
  const s = createServer((req, res) => {
    const socket = req.socket;
    if (!sockets.includes(socket)) sockets.push(socket);
    const n = (perSocket.get(socket) ?? 0) + 1;
    perSocket.set(socket, n);
    req.resume();
    req.on('end', () => handle(sockets.indexOf(socket), n, res, socket));
  });
  s.keepAliveTimeout = 60_000;
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/chat`, server: s, sockets })));
}

function stop(s: Server): void {
  s.closeAllConnections();
  s.close();
}

async function text(url: string, signal = new AbortController().signal) {
  const r = await postForStream(url, { 'content-type': 'application/json' }, '{"a":1}', signal);
  return { status: r.status, body: await readCapped(r.body, 1024) };
}

describe('postForStream', () => {
  it('reuses a kept-alive connection', async () => {
    const up = await server((_s, _n, res) => res.end('ok'));
    try {
      expect(await text(up.url)).toEqual({ status: 200, body: 'ok' });
      expect(await text(up.url)).toEqual({ status: 200, body: 'ok' });
      expect(up.sockets).toHaveLength(1);
    } finally {
      stop(up.server);
    }
  });

  it('retries once on a new connection when the server dropped the kept-alive socket it picked', async () => {
    const up = await server((socketIndex, n, res, socket) => {
      if (socketIndex === 0 && n === 2) socket.destroy();
      else res.end(`socket ${socketIndex}`);
    });
    try {
      expect(await text(up.url)).toEqual({ status: 200, body: 'socket 0' });
      expect(await text(up.url)).toEqual({ status: 200, body: 'socket 1' });
    } finally {
      stop(up.server);
    }
  });

  it('does not retry a connection refused, and an abort rejects at once', async () => {
    const up = await server(() => undefined); // never answers
    const { port } = up.server.address() as AddressInfo;
    try {
      const ac = new AbortController();
      const pending = text(up.url, ac.signal);
      setTimeout(() => ac.abort(new Error('client left')), 20);
      await expect(pending).rejects.toThrow();
      expect(ac.signal.aborted).toBe(true);
    } finally {
      stop(up.server);
    }
    await expect(text(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('reads an error body up to the cap', async () => {
    const up = await server((_s, _n, res) => {
      res.statusCode = 401;
      res.end('x'.repeat(5000));
    });
    try {
      const r = await postForStream(up.url, {}, '', new AbortController().signal);
      expect(r.status).toBe(401);
      expect(await readCapped(r.body, 100)).toBe('x'.repeat(100));
    } finally {
      stop(up.server);
    }
  });
});
