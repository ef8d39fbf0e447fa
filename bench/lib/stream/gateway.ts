/**
 * The gateway under test, in its own process, as `npm start` runs it: `node <config.nodeFlags>
 * -r ts-node/register/transpile-only src/main.ts` (ROLE=all, NODE_ENV=production,
 * LOG_LEVEL=warn) on database `byok_bench_stream` (dropped before and after) with its own queue
 * prefix, its OpenAI base URL pointing at the
 * bench's upstream. A user and an OPENAI key are created through its GraphQL API, and the key
 * is waited on until VALID (validation calls the upstream's GET /models).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dropDatabase } from '../../../test/support/app';
import { serviceNodeFlags } from '../../../test/support/service-node-flags';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEYS, TEST_REDIS_URL, adminDatabaseUrl } from '../../../test/support/test-env';
import { BenchGql } from '../gql';
import { onInterrupt } from '../interrupt';
import { Writable } from 'node:stream';
import type { LogSummary } from '../log-sink';
import { deleteRedisPrefix } from '../service';
import { freePort, spawnNode, REPO_ROOT, type Child } from './procs';
import { UPSTREAM_ANTHROPIC_PATH, UPSTREAM_API_PATH } from './protocol';

export interface GatewayProc {
  /** The current process (a new one after `restart()`). */
  readonly child: Child;
  url: string;
  /** The user's API token (graphql-ws connectionParams.authorization). */
  userToken: string;
  /** The BYOK key's secret: what (a) and (b) send the upstream as Bearer, as the gateway does. */
  apiKey: string;
  databaseName: string;
  logs(): GatewayLogSummary;
  /** SIGTERM (the service's graceful stop; a --cpu-prof profile is written then), drop the database and queue keys. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies with whatever it had in flight; nothing is cleaned up (the chaos bench's crash). */
  kill(): Promise<void>;
  /**
   * Starts the process again, same port, env, database and Redis (not dropped, not re-created),
   * and resolves once /readyz answers 200.
   */
  restart(): Promise<void>;
}

export interface GatewayOptions {
  upstreamUrl: string;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir …`. */
  nodeFlags?: string[];
  /** More service env (overrides). */
  env?: Record<string, string>;
  /** Its database (dropped before and after); another bench's name lets both run on one machine. */
  database?: string;
  /**
   * Keep the service's own per-user stream and subscription limits (default false: one bench
   * user drives every stream, so they are lifted). The chaos bench spreads its streams over
   * several users and keeps them, since they are part of what an outage must not break.
   */
  serviceLimits?: boolean;
}

const DATABASE_PREFIX = 'byok_bench_stream';
const BOOT_TIMEOUT_MS = 90_000;
const VALID_TIMEOUT_MS = 30_000;
/** Upstream deadlines far above anything a run takes: a deadline must not be what cuts a stream. */
const LONG_MS = '600000';

export async function startGateway(opts: GatewayOptions): Promise<GatewayProc> {
  // Unique per start unless the caller names one: benches run on shared machines, and two gateways
  // on one database (another bench's start dropping it mid-run) break both.
  const DATABASE = opts.database ?? `${DATABASE_PREFIX}_${randomBytes(3).toString('hex')}`;
  const queuePrefix = `${DATABASE}_${randomBytes(3).toString('hex')}`;
  const dbUrl = new URL(adminDatabaseUrl());
  dbUrl.pathname = `/${DATABASE}`;
  await dropDatabase(DATABASE);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ROLE: 'all',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    PROVIDER_BASE_URL_OPENAI: `${opts.upstreamUrl}${UPSTREAM_API_PATH}`,
    PROVIDER_BASE_URL_ANTHROPIC: `${opts.upstreamUrl}${UPSTREAM_ANTHROPIC_PATH}`,
    UPSTREAM_CONNECT_TIMEOUT_MS: LONG_MS,
    UPSTREAM_FIRST_BYTE_TIMEOUT_MS: LONG_MS,
    UPSTREAM_IDLE_TIMEOUT_MS: LONG_MS,
    // One bench user drives every stream: the per-tenant limits would measure themselves, not the relay.
    ...(opts.serviceLimits
      ? {}
      : { MAX_STREAMS_PER_USER: '1000000', MAX_SUBSCRIPTIONS_PER_USER: '1000000', MAX_SUBSCRIPTIONS_PER_SOCKET: '1000000' }),
    ...opts.env,
  };
  const sink = new GatewayLogSink();
  // As `npm start` runs it (package.json config.nodeFlags), then the bench's own flags.
  const spawnGateway = (): Child => {
    const c = spawnNode('gateway', [...serviceNodeFlags(), ...(opts.nodeFlags ?? [])], path.join(REPO_ROOT, 'src', 'main.ts'), env);
    // One sink across restarts: a dead process's stdout ending must not end it.
    c.proc.stdout?.pipe(sink, { end: false });
    return c;
  };
  let child = spawnGateway();

  let stopped = false;
  const cleanUp = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // The service's own graceful stop (main.ts) is bounded by SHUTDOWN_TIMEOUT_MS (10 s).
    await child.stop(20_000);
    await dropDatabase(DATABASE).catch(() => undefined);
    await deleteRedisPrefix(env.REDIS_URL ?? TEST_REDIS_URL, queuePrefix).catch(() => 0);
  };
  const unregister = onInterrupt(cleanUp);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child);
    const gql = new BenchGql(url);
    const user = await gql.ok<{ createUser: { token: string } }>(
      'mutation($e: String!) { createUser(email: $e) { token } }',
      { e: 'stream-bench@example.com' },
      TEST_ADMIN_TOKEN,
    );
    const userToken = user.createUser.token;
    const apiKey = `sk-bench-${randomBytes(24).toString('hex')}`;
    const added = await gql.ok<{ addByokKey: { id: string; status: string } }>(
      'mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id status } }',
      { input: { provider: 'OPENAI', apiKey } },
      userToken,
    );
    await waitValid(gql, userToken, added.addByokKey.id);
    // The Messages door's target (m) is served by an Anthropic key on the same upstream.
    const claude = await gql.ok<{ addByokKey: { id: string; status: string } }>(
      'mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id status } }',
      { input: { provider: 'ANTHROPIC', apiKey: `sk-ant-bench-${randomBytes(24).toString('hex')}` } },
      userToken,
    );
    await waitValid(gql, userToken, claude.addByokKey.id);
    return {
      get child() {
        return child;
      },
      url,
      userToken,
      apiKey,
      databaseName: DATABASE,
      logs: () => sink.summary(),
      async stop() {
        unregister();
        await cleanUp();
      },
      async kill() {
        child.proc.kill('SIGKILL');
        await child.exited;
        child.proc.stderr?.destroy();
        if (child.proc.connected) child.proc.disconnect();
      },
      async restart() {
        if (child.alive) throw new Error('restart: the gateway is still running');
        child = spawnGateway();
        await waitReady(url, child);
      },
    };
  } catch (err) {
    unregister();
    await cleanUp().catch(() => undefined);
    throw err;
  }
}

async function waitReady(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!child.alive) throw new Error(`the gateway ${child.describeExit()} while booting:\n${child.stderrTail()}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    // Fine-grained: the chaos bench reports the time to ready after a restart.
    await sleep(100);
  }
  throw new Error(`the gateway was not ready within ${BOOT_TIMEOUT_MS} ms:\n${child.stderrTail()}`);
}

async function waitValid(gql: BenchGql, token: string, keyId: string): Promise<void> {
  const deadline = Date.now() + VALID_TIMEOUT_MS;
  let status = 'PENDING';
  while (Date.now() < deadline) {
    const d = await gql.ok<{ byokKeys: Array<{ id: string; status: string }> }>('query { byokKeys { id status } }', {}, token);
    status = d.byokKeys.find((k) => k.id === keyId)?.status ?? 'missing';
    if (status === 'VALID') return;
    if (status !== 'PENDING') break;
    await sleep(200);
  }
  throw new Error(`the bench key did not become VALID (status ${status})`);
}

const MAX_DISTINCT = 50;

/** The counts, plus the first two raw lines of each distinct message (for the results file). */
export interface GatewayLogSummary extends LogSummary {
  examples: Record<string, string[]>;
}
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Counts the gateway's log lines by level and by message, the message keyed with its `err`
 * (ids stripped) so that "unexpected error" says which. Lines may span stdout chunks.
 */
class GatewayLogSink extends Writable {
  private rest = '';
  private lines = 0;
  private readonly byLevel: Record<string, number> = {};
  private readonly messages = new Map<string, number>();
  private readonly examples = new Map<string, string[]>();

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    const text = this.rest + chunk.toString();
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    for (const line of parts) if (line) this.count(line);
    done();
  }

  private count(line: string): void {
    this.lines++;
    let level = 'unparsed';
    let key = line.slice(0, 200);
    try {
      const e = JSON.parse(line) as { level?: unknown; msg?: unknown; err?: unknown };
      level = typeof e.level === 'string' ? e.level : String(e.level);
      const err = typeof e.err === 'string' ? e.err : (e.err as { type?: string; message?: string } | undefined)?.message ?? (e.err as { type?: string } | undefined)?.type;
      key = `${String(e.msg)}${err ? ` — ${err}` : ''}`.replace(UUID, '<id>').slice(0, 300);
    } catch {
      // keep the raw line's start
    }
    this.byLevel[level] = (this.byLevel[level] ?? 0) + 1;
    key = `${level}: ${key}`;
    if (this.messages.has(key) || this.messages.size < MAX_DISTINCT) {
      this.messages.set(key, (this.messages.get(key) ?? 0) + 1);
      const ex = this.examples.get(key) ?? [];
      if (ex.length < 2) this.examples.set(key, [...ex, line.slice(0, 2000)]);
    }
  }

  summary(): GatewayLogSummary {
    return { lines: this.lines, byLevel: { ...this.byLevel }, messages: Object.fromEntries(this.messages), examples: Object.fromEntries(this.examples) };
  }
}
