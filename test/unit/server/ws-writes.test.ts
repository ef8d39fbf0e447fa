import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { socketSink, textFrame } from '../../../src/server/ws-writes';

/** A real ws server and client; `onServer` gets the server side of the connection. */
async function pair(onServer: (ws: WebSocket) => void): Promise<{ received: string[]; client: WebSocket; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', onServer);
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data, isBinary) => received.push(isBinary ? '(binary)' : (data as Buffer).toString('utf8')));
  await new Promise((resolve) => client.once('open', resolve));
  return {
    received,
    client,
    close: async () => {
      client.close();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('textFrame', () => {
  it('is read by a real ws client at every length encoding: 7-bit, 16-bit and 64-bit, multi-byte text included', async () => {
    const texts = ['', 'x'.repeat(125), 'é'.repeat(63), 'y'.repeat(126), 'z'.repeat(65535), '東'.repeat(30000), 'w'.repeat(70000)];
    const p = await pair((ws) => {
      const raw = (ws as unknown as { _socket: Socket })._socket;
      for (const t of texts) raw.write(textFrame(t));
    });
    await until(() => p.received.length === texts.length);
    expect(p.received).toEqual(texts);
    await p.close();
  });
});

describe('socketSink', () => {
  it("writes graphql-ws's next message, in order with the socket's own sends", async () => {
    const p = await pair((ws) => {
      const sink = socketSink(ws, 'sub "1"');
      ws.send('before');
      expect(sink.next('chatCompletion', '{"type":"DELTA","content":"hé"}')).toBe(true);
      ws.send('after');
    });
    await until(() => p.received.length === 3);
    expect(p.received[0]).toBe('before');
    expect(JSON.parse(p.received[1]!)).toEqual({ id: 'sub "1"', type: 'next', payload: { data: { chatCompletion: { type: 'DELTA', content: 'hé' } } } });
    expect(p.received[2]).toBe('after');
    await p.close();
  });
});
