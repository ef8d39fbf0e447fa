import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlError {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
  path?: Array<string | number>;
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: GqlError[];
  /** The raw body text, for secret scanning. */
  raw: string;
}

/** A real HTTP GraphQL client. Every response body is kept in `transcript` for secret scans. */
export class HttpGql {
  readonly transcript: string[] = [];

  constructor(readonly url: string) {}

  async request<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<GqlResponse<T>> {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const raw = await res.text();
    this.transcript.push(raw);
    const body = JSON.parse(raw) as { data?: T | null; errors?: GqlError[] };
    return { status: res.status, data: body.data, errors: body.errors, raw };
  }

  /** Runs an operation that must succeed and returns its data. */
  async ok<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const r = await this.request<T>(query, variables, token);
    if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  /** Runs an operation that must fail and returns its first error code. */
  async code(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<string | undefined> {
    const r = await this.request(query, variables, token);
    if (!r.errors?.length) throw new Error(`expected an error, got ${r.raw}`);
    return r.errors[0]?.extensions?.code;
  }
}

/** A real graphql-ws client over a real WebSocket. */
export function wsClient(
  url: string,
  token: string | undefined,
  opts: { onClosed?: (code: number, reason: string) => void } = {},
): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (e) => {
        const ev = e as { code: number; reason: string };
        opts.onClosed?.(ev.code, ev.reason?.toString() ?? '');
      },
    },
  });
}

/** Collects every message of one subscription until it completes or errors. */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): { done: Promise<{ results: FormattedExecutionResult<T, unknown>[]; error?: unknown }>; results: FormattedExecutionResult<T, unknown>[]; cancel: () => void } {
  const results: FormattedExecutionResult<T, unknown>[] = [];
  let cancel: () => void = () => undefined;
  const done = new Promise<{ results: FormattedExecutionResult<T, unknown>[]; error?: unknown }>((resolve) => {
    cancel = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => results.push(r),
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
  return { done, results, cancel: () => cancel() };
}
