import { Redis } from 'ioredis';

/**
 * A Redis connection. `blocking` connections (BullMQ workers, subscribers) must not cap retries
 * per request (BullMQ requires `maxRetriesPerRequest: null`); command connections fail fast
 * so a request never hangs on a dead Redis.
 */
export function createRedis(url: string, kind: 'command' | 'blocking', name: string): Redis {
  return new Redis(url, {
    connectionName: `byok:${name}`,
    maxRetriesPerRequest: kind === 'blocking' ? null : 2,
    enableOfflineQueue: kind === 'blocking',
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: true,
  });
}

/** Connects once or fails within `timeoutMs` with the driver's error (boot check). */
export async function connectRedisOnce(url: string, timeoutMs: number): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // ioredis reports the cause (ECONNREFUSED, ENOTFOUND, auth) on 'error' and then rejects
  // connect() with a generic "Connection is closed": keep the cause.
  let cause: Error | undefined;
  client.on('error', (err: Error) => {
    cause ??= err;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw cause ?? err;
  } finally {
    client.disconnect();
  }
}
