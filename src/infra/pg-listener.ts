import { Client } from 'pg';
import type { Logger } from './logger';

import { KEEPALIVE_IDLE_MS } from './database';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;
/** Defaults of the health check: a LISTEN connection only ever receives, so it must ask. */
const HEALTH_EVERY_MS = 5000;
const HEALTH_TIMEOUT_MS = 2000;

/**
 * LISTENs on one Postgres channel over its own connection, reconnecting with backoff. While it
 * is not listening, notifications are being missed: `listening` is false and `onGap` is called
 * when the gap starts and again once listening resumes, so caches built on the notifications can
 * drop everything and stop trusting themselves until then.
 *
 * A connection whose peer went silent (packets dropped, no RST) raises no error: notifications
 * simply stop. So every `healthEveryMs` it runs `SELECT 1`, which must answer within
 * `healthTimeoutMs` (pg's `query_timeout`), else the connection counts as lost (gap, reconnect);
 * TCP keepalive also ends one whose peer is gone for good.
 */
export class PgListener {
  private client: Client | undefined;
  private retryMs = RETRY_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private up = false;

  constructor(
    private readonly opts: {
      url: string;
      channel: string;
      logger: Logger;
      onMessage: (payload: string) => void;
      onGap: () => void;
      /** How often the connection is checked (default 5 s). */
      healthEveryMs?: number;
      /** How long the check may take before the connection counts as lost (default 2 s). */
      healthTimeoutMs?: number;
    },
  ) {}

  get listening(): boolean {
    return this.up;
  }

  /** Resolves after the first attempt (listening or not: it keeps retrying in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.setUp(false);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const timeoutMs = this.opts.healthTimeoutMs ?? HEALTH_TIMEOUT_MS;
    const client = new Client({
      connectionString: this.opts.url,
      connectionTimeoutMillis: Math.max(timeoutMs, 5000),
      query_timeout: timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
      application_name: 'byok-gateway-listen',
    });
    this.client = client;
    client.on('notification', (n) => {
      if (n.channel === this.opts.channel && n.payload) this.opts.onMessage(n.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.opts.channel)}`);
      if (this.stopped || this.client !== client) return;
      this.retryMs = RETRY_MIN_MS;
      this.setUp(true);
      this.checkLater(client);
    } catch (err) {
      this.lost(client, err);
    }
  }

  private checkLater(client: Client): void {
    // A check answered after stop() must not schedule another (it would hold the process open).
    if (this.stopped || this.client !== client) return;
    this.timer = setTimeout(() => {
      if (this.stopped || this.client !== client) return;
      client.query('SELECT 1').then(
        () => this.checkLater(client),
        (err: unknown) => this.lost(client, err),
      );
    }, this.opts.healthEveryMs ?? HEALTH_EVERY_MS);
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return; // an old connection's late event
    this.client = undefined;
    clearTimeout(this.timer);
    client.end().catch(() => undefined);
    // end() says goodbye over the socket; a silent peer never answers, so the socket would stay.
    client.connection.stream.destroy();
    this.setUp(false);
    if (this.stopped) return;
    this.opts.logger.warn({ err: (err as Error | undefined)?.message, channel: this.opts.channel, retryInMs: this.retryMs }, 'lost the Postgres LISTEN connection; retrying');
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.opts.onGap();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
