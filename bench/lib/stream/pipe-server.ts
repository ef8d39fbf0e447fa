/**
 * The bare Node pass-through proxy, run as its own process (`fork`, argv: upstream url): every
 * request is forwarded to the upstream over a keep-alive http.Agent and the upstream's status,
 * headers and body are piped back untouched. The floor for any Node gateway: no parsing, no
 * routing, no database.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadyMessage } from './protocol';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: Infinity, maxFreeSockets: 100_000, scheduling: 'lifo' });

const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
  const up = request(
    { agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
    (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    },
  );
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  // The client went away: close the upstream call too.
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 60_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;
// Node's default accept backlog (511) overflows when thousands of connections open at once (the
// probe's bursts): the kernel then drops or resets them, which no real provider's edge does.
server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, () => {
  const ready: ReadyMessage = { type: 'ready', port: (server.address() as AddressInfo).port };
  process.send?.(ready);
});
