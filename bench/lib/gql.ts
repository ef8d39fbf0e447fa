import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

interface GqlBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * A lean GraphQL-over-HTTP client for benches: unlike the test client it keeps no transcript,
 * so memory stays flat however many requests a bench makes.
 */
export class BenchGql {
  constructor(readonly url: string) {}

  /** Runs an operation that must succeed; throws with the error codes otherwise. */
  async ok<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlBody<T>;
    if (body.errors?.length || !body.data) {
      const what = body.errors?.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ') ?? `HTTP ${res.status}`;
      throw new Error(`GraphQL request failed: ${what}`);
    }
    return body.data;
  }
}

/**
 * A graphql-ws client over a real WebSocket, connected eagerly; resolves once the server
 * acknowledged the token (connection_ack), rejects if it closes first.
 */
export async function connectWs(url: string, token: string, timeoutMs = 10_000): Promise<Client> {
  let settle: { ok: () => void; fail: (err: Error) => void } | undefined;
  const acked = new Promise<void>((resolve, reject) => {
    settle = { ok: resolve, fail: reject };
  });
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    // The bench owns the socket's lifetime; without this an idle client would reconnect lazily.
    keepAlive: 0,
    on: {
      connected: () => settle?.ok(),
      closed: (e) => settle?.fail(new Error(`WebSocket closed before ack: ${(e as { code?: number }).code ?? '?'}`)),
    },
    onNonLazyError: (err) => settle?.fail(err instanceof Error ? err : new Error(String(err))),
  });
  const timer = setTimeout(() => settle?.fail(new Error(`no connection_ack within ${timeoutMs} ms`)), timeoutMs);
  try {
    await acked;
  } catch (err) {
    await client.dispose();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return client;
}
