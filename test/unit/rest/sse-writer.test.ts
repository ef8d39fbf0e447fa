import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseWriter, clientGone } from '../../../src/rest/sse-writer';

/** A real server whose handler gets the response; the client side is returned paused. */
async function serve(handler: (res: ServerResponse) => void): Promise<{ server: Server; res: Promise<IncomingMessage> }> {
  const server = createServer((_req, res) => handler(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const res = new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' }, resolve);
    req.on('error', reject);
    req.end();
  });
  return { server, res };
}

describe('SseWriter', () => {
  it('back-pressure: with a reader that stops reading, the writer stalls on send until it reads again', async () => {
    let sent = 0;
    let waits = 0;
    const frame = `data: ${'x'.repeat(64 * 1024)}\n\n`;
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const { server, res } = await serve((r) => {
      const sse = new SseWriter(r, 60_000);
      void sse.open({});
      void (async () => {
        for (; sent < 400; sent++) {
          const p = sse.send(frame);
          if (p) {
            waits++;
            await p;
          }
        }
        sse.end();
        finished();
      })();
    });
    const client = await res;
    client.pause();
    await new Promise((r) => setTimeout(r, 300));
    const stalledAt = sent;
    await new Promise((r) => setTimeout(r, 200));
    // Nothing more was produced while nobody read: the loop waits on the drain promise.
    expect(sent).toBe(stalledAt);
    expect(stalledAt).toBeLessThan(400);
    client.resume();
    await done;
    expect(sent).toBe(400);
    expect(waits).toBeGreaterThan(0);
    await new Promise((r) => client.on('end', r));
    server.close();
  });

  it('keep-alive comments only after the interval without writes; clientGone fires when the client leaves', async () => {
    let signal!: AbortSignal;
    let sse!: SseWriter;
    let sentAt = 0;
    const { server, res } = await serve((r) => {
      signal = clientGone(r);
      sse = new SseWriter(r, 300);
      void sse.open({});
      void sse.send('data: 1\n\n');
      sentAt = Date.now();
    });
    try {
      const client = await res;
      client.setEncoding('utf8');
      let text = '';
      let keepAliveAt = 0;
      client.on('data', (c: string) => {
        text += c;
        if (!keepAliveAt && text.includes(': keep-alive')) keepAliveAt = Date.now();
      });
      const deadline = Date.now() + 5000;
      while (!keepAliveAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(text.startsWith('data: 1\n\n: keep-alive\n\n')).toBe(true);
      // Written by the timer no earlier than the interval after the last write (server clock).
      expect(keepAliveAt - sentAt).toBeGreaterThanOrEqual(295);
      expect(signal.aborted).toBe(false);
      client.destroy();
      const gone = Date.now() + 2000;
      while (!signal.aborted && Date.now() < gone) await new Promise((r) => setTimeout(r, 10));
      expect(signal.aborted).toBe(true);
      expect(sse.closed).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('the head, the first event and what else is written in the same loop turn leave in one socket write', async () => {
    const writes: number[] = [];
    let firstTurn = 0;
    let later!: () => void;
    const wroteLater = new Promise<void>((r) => (later = r));
    const { server, res } = await serve((r) => {
      const socket = r.socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
      for (const name of ['_write', '_writev'] as const) {
        const original = socket[name].bind(socket);
        socket[name] = (...args: unknown[]) => {
          writes.push(Date.now());
          original(...args);
        };
      }
      const sse = new SseWriter(r, 60_000);
      void sse.open({ 'x-test': '1' }, 'data: start\n\n');
      // The first delta comes a few ticks later in the same turn (node:http's own cork lasts one tick).
      process.nextTick(() => process.nextTick(() => void sse.send('data: 0\n\n')));
      setTimeout(() => {
        firstTurn = writes.length;
        void sse.send('data: 1\n\n');
        sse.end();
        later();
      }, 50);
    });
    try {
      const client = await res;
      expect(client.headers['x-test']).toBe('1');
      client.setEncoding('utf8');
      let text = '';
      client.on('data', (c: string) => (text += c));
      await wroteLater;
      await new Promise((r) => client.on('end', r));
      expect(text).toBe('data: start\n\ndata: 0\n\ndata: 1\n\n');
      // One write for the status line, headers, `start` and `0`; `1` and the end came later.
      expect(firstTurn).toBe(1);
      expect(writes.length).toBeGreaterThan(1);
    } finally {
      server.close();
    }
  });
});
