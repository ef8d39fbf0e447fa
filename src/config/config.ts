import { z } from 'zod';
import { PROVIDER_IDS, type ProviderId } from '../providers/types';
import { ConfigError } from './config-error';
import { parseDuration } from './duration';
import { resolveEncryptionKeys } from './encryption-keys';

/**
 * The only reader of process.env. Everything is validated at boot; a bad value stops the
 * process with a message naming the variable and what it expects.
 */

const positiveInt = (fallback: number) =>
  z.coerce.number().int('must be a whole number').positive('must be positive').default(fallback);

const urlString = (protocols: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine((v) => protocols.some((p) => v.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: urlString(['postgres', 'postgresql']).default(
    'postgres://postgres@127.0.0.1:5432/byok_gateway',
  ),
  REDIS_URL: urlString(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  /** Namespaces every BullMQ queue and pub/sub channel; tests use one per file. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_:-]{1,64}$/, 'must be 1-64 letters, digits, _ : or -')
    .default('byok'),
  ENCRYPTION_KEYS: z.string().optional(),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  CATALOG_FILE: z.string().optional(),
  REVALIDATE_AFTER: z.string().default('24h'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VALIDATION_CONCURRENCY: positiveInt(8),
  VALIDATION_ATTEMPTS: positiveInt(5),
  VALIDATION_BACKOFF_MS: positiveInt(2000),
  VALIDATION_TIMEOUT_MS: positiveInt(10_000),
  /** Per provider: at most this many validation calls per second (a burst of keys must not hammer one provider). */
  VALIDATION_RATE_PER_PROVIDER: positiveInt(10),
  RECONCILE_EVERY: z.string().default('1m'),
  /** Keys PENDING for less than this are left to their own job before the reconciler re-queues them. */
  RECONCILE_GRACE: z.string().default('30s'),
  /** How long a worker's lock on a job lasts; a crashed worker's job is retried after it expires. */
  VALIDATION_LOCK_MS: positiveInt(30_000),
  VALIDATION_STALLED_INTERVAL_MS: positiveInt(30_000),
  UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt(10_000),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: positiveInt(60_000),
  UPSTREAM_IDLE_TIMEOUT_MS: positiveInt(60_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  /**
   * Streams one process relays at once; more are refused with RATE_LIMITED at once rather than
   * slowing every stream down (on a 2-core machine one process served 1000 with no error; past that
   * first tokens wait seconds, bench/README.md "stream").
   */
  MAX_CONCURRENT_STREAMS: positiveInt(1000),
  /**
   * Streams one user, and one organization, may hold at once across every instance (counted in
   * Redis): one tenant cannot take the slots MAX_CONCURRENT_STREAMS leaves to everyone else.
   */
  MAX_STREAMS_PER_USER: positiveInt(50),
  MAX_STREAMS_PER_ORGANIZATION: positiveInt(200),
  /** Open subscriptions (and in-flight WebSocket operations) per socket, and per user on one instance. */
  MAX_SUBSCRIPTIONS_PER_SOCKET: positiveInt(100),
  MAX_SUBSCRIPTIONS_PER_USER: positiveInt(500),
  /**
   * How long a token lookup (found, unknown or revoked) is trusted in memory. A revocation clears
   * it at once on every instance through Redis; this bounds the staleness if that message is lost.
   */
  AUTH_CACHE_TTL_MS: positiveInt(30_000),
  /**
   * While Postgres is unreachable, routing uses an owner's last known keys up to this old (no key
   * can change meanwhile: writes fail). Past it, or for an owner never seen: UNAVAILABLE.
   */
  OUTAGE_STALE_MAX: z.string().default('5m'),
  /**
   * A data-path read (token check, membership check, routing's key load) with no answer within
   * this counts as Postgres unreachable (last known state, or UNAVAILABLE); the LISTEN connection
   * is checked with the same bound. A silent outage (packets dropped) would otherwise hang them.
   */
  DB_DATA_PATH_TIMEOUT: z.string().default('2s'),
  /** A process silent for this long is dead: the sweeper writes its in-flight streams' usage. */
  INFLIGHT_HEARTBEAT_TTL_MS: positiveInt(15_000),
  /** A running stream checkpoints its usage to Redis this often, or every N deltas. */
  INFLIGHT_CHECKPOINT_MS: positiveInt(2000),
  INFLIGHT_CHECKPOINT_DELTAS: positiveInt(100),
  INFLIGHT_SWEEP_EVERY_MS: positiveInt(5000),
  MAX_QUERY_DEPTH: positiveInt(10),
  /**
   * Fields count 1, a page (`first`) multiplies what it holds by its size: a full usageRecords page
   * of 100 with every field is ~3,200; two nested pages of 100 are ~30,000.
   */
  MAX_QUERY_COMPLEXITY: positiveInt(5000),
  /** The built web console (`npm run build:web`), served at `/`; relative to the working directory. */
  WEB_DIST_DIR: z.string().min(1).default('dist/web'),
  /** Lexical tokens per GraphQL document: parsing stops there, so a huge document costs little. */
  MAX_QUERY_TOKENS: positiveInt(2000),
  MAX_QUERY_ALIASES: positiveInt(15),
  MAX_QUERY_DIRECTIVES: positiveInt(50),
  /**
   * Largest HTTP body or WebSocket message, in bytes: 20 MiB leaves room for images in chat
   * messages. The HTTP body is read only for an authenticated caller, a WebSocket takes messages
   * this large only once its connection_init is accepted.
   */
  MAX_REQUEST_BYTES: positiveInt(20 * 1024 * 1024),
  /** Estimated memory (text and syntax trees) of the parsed-document cache both transports share; documents, never variables. */
  DOCUMENT_CACHE_BYTES: positiveInt(32 * 1024 * 1024),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
});

export { ConfigError };

export type Role = 'all' | 'api' | 'worker';

export interface ProviderOverrides {
  baseUrl?: string;
  accountUrl?: string;
  platformKey?: string;
  headers?: Record<string, string>;
}

export interface QueryLimitsConfig {
  maxQueryDepth: number;
  maxQueryComplexity: number;
  maxQueryTokens: number;
  maxQueryAliases: number;
  maxQueryDirectives: number;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  role: Role;
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** `id:base64,…`, first active; resolved (generated in development) at boot. */
  encryptionKeys: string;
  adminToken?: string;
  catalogFile?: string;
  revalidateAfterMs: number;
  reconcileEveryMs: number;
  reconcileGraceMs: number;
  logLevel: string;
  validation: {
    concurrency: number;
    attempts: number;
    backoffMs: number;
    timeoutMs: number;
    ratePerProvider: number;
    lockMs: number;
    stalledIntervalMs: number;
  };
  upstream: { connectTimeoutMs: number; firstByteTimeoutMs: number; idleTimeoutMs: number };
  maxConcurrentStreams: number;
  streamsPer: { user: number; organization: number };
  subscriptionsPer: { socket: number; user: number };
  authCacheTtlMs: number;
  /** How old the last known state may be to serve through a Postgres outage. */
  outageStaleMaxMs: number;
  /** The bound of a data-path read, and of the LISTEN connection's health check. */
  dbDataPathTimeoutMs: number;
  /** The in-flight usage journal and its sweeper (issue 16). */
  inflight: { heartbeatTtlMs: number; checkpointMs: number; checkpointDeltas: number; sweepEveryMs: number };
  shutdownTimeoutMs: number;
  limits: QueryLimitsConfig;
  maxRequestBytes: number;
  documentCacheBytes: number;
  metricsToken?: string;
  webDistDir: string;
  providers: Partial<Record<ProviderId, ProviderOverrides>>;
}

/**
 * What a serving process should tell its operator at boot (the CLI serves nothing, so it does
 * not print these).
 */
export function servingWarnings(config: Pick<AppConfig, 'env' | 'metricsToken'>): string[] {
  const out: string[] = [];
  if (config.env === 'production' && !config.metricsToken) {
    out.push('METRICS_TOKEN is not set: GET /metrics answers anyone who reaches this port (set it, or keep the port private)');
  }
  return out;
}

/** Reads and validates the environment. Throws ConfigError with every problem found. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  notices: { warn(msg: string): void } = { warn: () => undefined },
): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const durations = {
    revalidateAfterMs: parseDuration('REVALIDATE_AFTER', e.REVALIDATE_AFTER),
    reconcileEveryMs: parseDuration('RECONCILE_EVERY', e.RECONCILE_EVERY),
    reconcileGraceMs: e.RECONCILE_GRACE === '0' ? 0 : parseDuration('RECONCILE_GRACE', e.RECONCILE_GRACE),
  };
  return {
    env: e.NODE_ENV,
    role: e.ROLE,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    encryptionKeys: resolveEncryptionKeys(e.NODE_ENV, e.ENCRYPTION_KEYS, notices),
    adminToken: e.ADMIN_TOKEN,
    catalogFile: e.CATALOG_FILE,
    ...durations,
    logLevel: e.LOG_LEVEL,
    validation: {
      concurrency: e.VALIDATION_CONCURRENCY,
      attempts: e.VALIDATION_ATTEMPTS,
      backoffMs: e.VALIDATION_BACKOFF_MS,
      timeoutMs: e.VALIDATION_TIMEOUT_MS,
      ratePerProvider: e.VALIDATION_RATE_PER_PROVIDER,
      lockMs: e.VALIDATION_LOCK_MS,
      stalledIntervalMs: e.VALIDATION_STALLED_INTERVAL_MS,
    },
    upstream: {
      connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteTimeoutMs: e.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      idleTimeoutMs: e.UPSTREAM_IDLE_TIMEOUT_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    maxConcurrentStreams: e.MAX_CONCURRENT_STREAMS,
    limits: {
      maxQueryDepth: e.MAX_QUERY_DEPTH,
      maxQueryComplexity: e.MAX_QUERY_COMPLEXITY,
      maxQueryTokens: e.MAX_QUERY_TOKENS,
      maxQueryAliases: e.MAX_QUERY_ALIASES,
      maxQueryDirectives: e.MAX_QUERY_DIRECTIVES,
    },
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    documentCacheBytes: e.DOCUMENT_CACHE_BYTES,
    metricsToken: e.METRICS_TOKEN,
    streamsPer: { user: e.MAX_STREAMS_PER_USER, organization: e.MAX_STREAMS_PER_ORGANIZATION },
    subscriptionsPer: { socket: e.MAX_SUBSCRIPTIONS_PER_SOCKET, user: e.MAX_SUBSCRIPTIONS_PER_USER },
    authCacheTtlMs: e.AUTH_CACHE_TTL_MS,
    outageStaleMaxMs: parseDuration('OUTAGE_STALE_MAX', e.OUTAGE_STALE_MAX),
    dbDataPathTimeoutMs: parseDuration('DB_DATA_PATH_TIMEOUT', e.DB_DATA_PATH_TIMEOUT),
    inflight: {
      heartbeatTtlMs: e.INFLIGHT_HEARTBEAT_TTL_MS,
      checkpointMs: e.INFLIGHT_CHECKPOINT_MS,
      checkpointDeltas: e.INFLIGHT_CHECKPOINT_DELTAS,
      sweepEveryMs: e.INFLIGHT_SWEEP_EVERY_MS,
    },
    webDistDir: e.WEB_DIST_DIR,
    providers: readProviderOverrides(env),
  };
}

/** PROVIDER_BASE_URL_<ID>, PROVIDER_ACCOUNT_URL_<ID>, PLATFORM_KEY_<ID>, PROVIDER_HEADERS_<ID>. */
function readProviderOverrides(env: NodeJS.ProcessEnv): AppConfig['providers'] {
  const out: AppConfig['providers'] = {};
  const problems: string[] = [];
  for (const id of PROVIDER_IDS) {
    const o: ProviderOverrides = {};
    for (const [name, field] of [
      [`PROVIDER_BASE_URL_${id}`, 'baseUrl'],
      [`PROVIDER_ACCOUNT_URL_${id}`, 'accountUrl'],
    ] as const) {
      const v = env[name];
      if (v === undefined || v === '') continue;
      if (!/^https?:\/\/[^\s]+$/.test(v)) problems.push(`${name}: must be an http(s) URL`);
      else o[field] = v.replace(/\/+$/, '');
    }
    const platformKey = env[`PLATFORM_KEY_${id}`];
    if (platformKey) o.platformKey = platformKey.trim();
    const headers = env[`PROVIDER_HEADERS_${id}`];
    if (headers) {
      const h = parseHeaders(headers);
      if (typeof h === 'string') problems.push(`PROVIDER_HEADERS_${id}: ${h}`);
      else o.headers = h;
    }
    if (Object.keys(o).length > 0) out[id] = o;
  }
  const unknown = Object.keys(env).filter(
    (k) =>
      /^(PROVIDER_BASE_URL|PROVIDER_ACCOUNT_URL|PLATFORM_KEY|PROVIDER_HEADERS)_/.test(k) &&
      !PROVIDER_IDS.some((id) => k.endsWith(`_${id}`)),
  );
  for (const k of unknown) problems.push(`${k}: unknown provider (expected one of ${PROVIDER_IDS.join(', ')})`);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return out;
}

function parseHeaders(text: string): Record<string, string> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'must be a JSON object of header names to string values';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object of header names to string values';
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9-]+$/.test(k)) {
      return `header ${JSON.stringify(k)} must have a token name and a string value`;
    }
    out[k.toLowerCase()] = v;
  }
  return out;
}
