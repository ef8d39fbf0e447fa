import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, to cut a real connection to Postgres or Redis and heal it:
 * `cut()` destroys every open connection and refuses new ones until `heal()`.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;
  private frozen = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      // After pipe(), which resumes a paused source: a connection opened during a freeze is held too.
      if (this.frozen) {
        client.pause();
        upstream.pause();
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as { port: number }).port;
    return this;
  }

  /** Replaces the host:port of `url` with the proxy's. */
  wrap(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString().replace(/\/$/, '');
  }

  /**
   * Stops forwarding in both directions without closing anything: bytes sent meanwhile (a
   * NOTIFY, a query's answer) wait in the proxy, and a `cut()` then loses them.
   */
  freeze(): void {
    this.frozen = true;
    for (const s of this.sockets) s.pause();
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  heal(): void {
    this.down = false;
    if (this.frozen) for (const s of this.sockets) s.resume();
    this.frozen = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server?.close(r));
  }
}
