/**
 * One chaos scenario's world, all on 127.0.0.1: the stream bench's upstream, a private Redis
 * (redis-keeper.ts), a TCP proxy in front of the shared Postgres (test/support/tcp-proxy.ts),
 * and the gateway as `npm start` runs it (bench/lib/stream/gateway.ts: ROLE=all,
 * NODE_ENV=production) on database `byok_bench_chaos_<scenario>` through the proxy, with the
 * service's own per-user limits. `users` users, each with an OPENAI key made through the API and
 * waited on until VALID, and one graphql-ws socket each. A direct connection (no proxy) reads
 * the usage records. `stop()` undoes everything, also on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client as WsClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { Client as PgClient } from 'pg';
import { TEST_ADMIN_TOKEN, adminDatabaseUrl } from '../../../test/support/test-env';
import { TcpProxy } from '../../../test/support/tcp-proxy';
import { BenchGql, connectWs } from '../gql';
import { onInterrupt } from '../interrupt';
import { startGateway, type GatewayProc } from '../stream/gateway';
import { forkChild, REPO_ROOT, type Child } from '../stream/procs';
import type { RedisKeeperReply } from './protocol';

export interface Rig {
  gateway: GatewayProc;
  proxy: TcpProxy;
  redis: PrivateRedis;
  /** Postgres, not through the proxy. */
  direct: PgClient;
  /** One API token per user (every one has a VALID OPENAI key). */
  tokens: string[];
  /** One open socket per user, same order as `tokens`. */
  sockets: WsClient[];
  stop(): Promise<void>;
}

export interface RigOptions {
  scenario: string;
  users: number;
  deltas: number;
  interval: number;
}

export async function startRig(opts: RigOptions): Promise<Rig> {
  const undo: Array<() => Promise<void>> = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const u of undo.reverse()) await u().catch(() => undefined);
  };
  // Registered first, so it runs last on Ctrl-C: the gateway's own cleanup (stop it, drop its
  // database) goes before its Redis and proxy.
  const unregister = onInterrupt(stop);
  try {
    const upstream = await forkChild('upstream', path.join(REPO_ROOT, 'bench', 'lib', 'stream', 'upstream-server.ts'), [String(opts.deltas), String(opts.interval)]);
    undo.push(() => upstream.child.stop());
    const redis = await startPrivateRedis();
    undo.push(() => redis.stop());
    const admin = new URL(adminDatabaseUrl());
    const proxy = await new TcpProxy(admin.hostname, Number(admin.port || 5432)).start();
    undo.push(() => proxy.close());
    const database = `byok_bench_chaos_${opts.scenario}`;
    const dbUrl = new URL(admin);
    dbUrl.pathname = `/${database}`;
    const gateway = await startGateway({
      upstreamUrl: `http://127.0.0.1:${upstream.port}`,
      database,
      serviceLimits: true,
      env: { DATABASE_URL: proxy.wrap(dbUrl.toString()), REDIS_URL: redis.url, VALIDATION_RATE_PER_PROVIDER: '200' },
    });
    undo.push(() => gateway.stop());
    const direct = new PgClient({ connectionString: dbUrl.toString() });
    // On Ctrl-C the gateway's own cleanup (newer, so first) drops the database under this
    // connection: an unhandled 'error' would crash the bench before the rest is cleaned up.
    direct.on('error', () => undefined);
    await direct.connect();
    undo.push(() => direct.end());
    const tokens = [gateway.userToken, ...(await makeUsers(new BenchGql(gateway.url), opts.users - 1))];
    const sockets: WsClient[] = [];
    undo.push(() => Promise.all(sockets.map((s) => s.dispose())).then(() => undefined));
    for (const t of tokens) sockets.push(await connectWs(gateway.url, t));
    return {
      gateway,
      proxy,
      redis,
      direct,
      tokens,
      sockets,
      async stop() {
        unregister();
        await stop();
      },
    };
  } catch (err) {
    unregister();
    await stop();
    throw err;
  }
}

/** `n` users with an OPENAI key each, created through the API, waited on until VALID. */
async function makeUsers(gql: BenchGql, n: number): Promise<string[]> {
  const stamp = `${Date.now()}-${randomBytes(2).toString('hex')}`;
  const made = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const u = await gql.ok<{ createUser: { token: string } }>('mutation($e: String!) { createUser(email: $e) { token } }', { e: `chaos${i}-${stamp}@example.com` }, TEST_ADMIN_TOKEN);
      const k = await gql.ok<{ addByokKey: { id: string } }>(
        'mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id } }',
        { input: { provider: 'OPENAI', apiKey: `sk-bench-chaos-${i}-${stamp}-0123456789abcdef` } },
        u.createUser.token,
      );
      return { token: u.createUser.token, keyId: k.addByokKey.id };
    }),
  );
  const deadline = Date.now() + 60_000;
  for (const m of made) {
    for (;;) {
      const d = await gql.ok<{ byokKey: { status: string } | null }>('query($id: ID!) { byokKey(id: $id) { status } }', { id: m.keyId }, m.token);
      if (d.byokKey?.status === 'VALID') break;
      if (Date.now() > deadline) throw new Error(`a bench key is ${d.byokKey?.status ?? 'missing'}, not VALID`);
      await sleep(100);
    }
  }
  return made.map((m) => m.token);
}

/** The private Redis: `kill()` SIGKILLs it, `start()` brings it back empty on the same port. */
export interface PrivateRedis {
  url: string;
  /** In-flight journal entries still in Redis (Σ HLEN of every `…:inflight:entries:*`: only this rig's gateway uses it). */
  journalEntries(): Promise<number>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function startPrivateRedis(): Promise<PrivateRedis> {
  const { child, port } = await forkChild('redis-keeper', path.join(__dirname, 'redis-keeper.ts'), []);
  const ask = async (type: 'redis-kill' | 'redis-start'): Promise<void> => {
    const r = await child.request<RedisKeeperReply>({ type, id: child.newId() }, (m): m is RedisKeeperReply => (m as { type?: string }).type === 'redis', 15_000);
    if (!r.ok) throw new Error(`private Redis ${type}: ${r.error}`);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    journalEntries: () => journalEntries(`redis://127.0.0.1:${port}`),
    kill: () => ask('redis-kill'),
    start: () => ask('redis-start'),
    stop: () => stopKeeper(child),
  };
}

async function journalEntries(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', '*:inflight:entries:*', 'COUNT', 1000);
      cursor = next;
      for (const k of keys) n += await redis.hlen(k);
    } while (cursor !== '0');
    return n;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** The keeper SIGKILLs its Redis as it exits. */
function stopKeeper(child: Child): Promise<void> {
  return child.stop(5000);
}
