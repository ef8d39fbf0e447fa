/**
 * A real local HTTP/1.1 server impersonating every provider (see routes.ts for the map).
 * Tests point the gateway at it through `env()` and choose behaviour with `mockKey()`.
 *
 * HTTP/1.1 only: a Bedrock client must use an HTTP/1 handler (`NodeHttpHandler`), not the
 * AWS SDK's HTTP/2 default.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ProviderEndpoints, ProviderId } from '../../../src/providers/types';
import { mockProblem } from './answer';
import { type MockAction, decide } from './decide';
import { type EchoErrorConfig, echoErrorAnswer } from './echo-answers';
import { type FixtureSource, FixtureStore } from './fixtures';
import { mulberry32 } from './prng';
import type { RecordedRequest } from './recorded-request';
import { MOCK_ROUTES, matchRoute } from './routes';
import { type SyntheticStreamConfig, replayChunked, replaySynthetic } from './stream-replay';
import { toolStreamFile } from './tool-streams';

export interface MockUpstreamOptions {
  /** Seed for chunk boundaries and pauses (default 0x5eed); each request derives its own stream. */
  chunkJitterSeed?: number;
  /** Delay before the first byte for `slow` keys (default 1500 ms). */
  slowMs?: number;
  /** Fixture table and folder; default: test/fixtures/providers/expectations.ts, loaded lazily. */
  fixtures?: FixtureSource;
}

export interface MockUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in arrival order (cleared by `reset()`). */
  readonly requests: RecordedRequest[];
  /** `PROVIDER_BASE_URL_<ID>` for every provider and `PROVIDER_ACCOUNT_URL_<ID>` for CHUTES and BEDROCK. */
  env(): Record<string, string>;
  /** The same bases as `env()`, for one provider. */
  endpoints(provider: ProviderId): ProviderEndpoints;
  /**
   * Resolves with the predicate's first truthy result (polled over `requests`), rejects after
   * `timeoutMs` (default 5000) with a summary of what arrived.
   */
  waitFor<T>(predicate: (requests: readonly RecordedRequest[]) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Shorthand: the first recorded request matching `match`. */
  waitForRequest(match: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** OpenAI-dialect `good` chats stream `deltas` one-word chunks instead of the fixture (null: fixtures again). */
  setSyntheticStream(cfg: SyntheticStreamConfig | null): void;
  setSlowMs(ms: number): void;
  /**
   * While set, every chat and key-check request is answered `status` with the provider's error
   * shape quoting `message(presented credential)` (null: back to normal; `reset()` clears it).
   */
  setEchoError(cfg: EchoErrorConfig | null): void;
  /** Forgets recorded requests, flaky counters, the synthetic stream and the slow delay. */
  reset(): void;
  /** Closes every socket and the server; leaves no handle open. */
  close(): Promise<void>;
}

const DEFAULT_SEED = 0x5eed;
const DEFAULT_SLOW_MS = 1500;

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const seed = opts.chunkJitterSeed ?? DEFAULT_SEED;
  const fixtures = new FixtureStore(opts.fixtures);
  const requests: RecordedRequest[] = [];
  const inFlight = new Set<AbortController>();
  let flakyCounts = new Map<string, number>();
  let synthetic: SyntheticStreamConfig | null = null;
  let slowMs = opts.slowMs ?? DEFAULT_SLOW_MS;
  let echo: EchoErrorConfig | null = null;
  let nextId = 1;
  let closing = false;

  async function execute(action: MockAction, record: RecordedRequest, res: ServerResponse, signal: AbortSignal): Promise<void> {
    if (action.type === 'hang') return;
    if (action.delayMs > 0) {
      try {
        await sleep(action.delayMs, undefined, { signal });
      } catch {
        return;
      }
    }
    if (res.destroyed) return;
    if (action.type === 'answer') {
      record.status = action.answer.status;
      res.writeHead(action.answer.status, action.answer.headers);
      res.end(action.answer.body);
      return;
    }
    const rng = mulberry32(seed ^ Math.imul(record.id, 0x9e3779b1));
    if (synthetic && action.variant === 'normal' && MOCK_ROUTES[action.provider].dialect === 'openai') {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      await replaySynthetic(res, synthetic, action.model, signal);
      return;
    }
    let body: Buffer;
    try {
      // A request declaring tools gets the dialect's recorded tool loop (tool-streams.ts).
      const toolFile = action.variant === 'normal' ? toolStreamFile(MOCK_ROUTES[action.provider].dialect, record.body) : undefined;
      body = toolFile ? fixtures.file(toolFile) : fixtures.body(action.provider, action.variant);
    } catch (err) {
      const problem = mockProblem(501, (err as Error).message);
      record.status = problem.status;
      res.writeHead(problem.status, problem.headers);
      res.end(problem.body);
      return;
    }
    const bedrock = MOCK_ROUTES[action.provider].dialect === 'bedrock';
    record.status = 200;
    res.writeHead(
      200,
      bedrock
        ? { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': `mock-${record.id}` }
        : { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    );
    await replayChunked(res, body, rng, signal);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const controller = new AbortController();
    inFlight.add(controller);
    const url = new URL(req.url ?? '/', 'http://mock');
    const record: RecordedRequest = {
      id: nextId++,
      provider: null,
      endpoint: 'unknown',
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: null,
      scenario: null,
      receivedAt,
      status: null,
      finished: false,
      clientClosedEarly: false,
    };
    res.on('finish', () => {
      record.finished = true;
    });
    res.on('close', () => {
      if (!res.writableFinished && !closing) record.clientClosedEarly = true;
      controller.abort();
      inFlight.delete(controller);
    });
    let bodyText: string;
    try {
      bodyText = await readBody(req);
    } catch {
      requests.push(record);
      return;
    }
    record.body = parseBody(bodyText);
    const decision = decide(
      { method: record.method, pathname: url.pathname, query: record.query, headers: req.headers, bodyText, body: record.body },
      {
        slowMs,
        countRequest: (key) => {
          const n = (flakyCounts.get(key) ?? 0) + 1;
          flakyCounts.set(key, n);
          return n;
        },
      },
    );
    record.provider = decision.provider;
    record.endpoint = decision.endpoint;
    record.scenario = decision.scenario;
    requests.push(record);
    const echoed = echo !== null && decision.provider !== null && (decision.endpoint === 'chat' || decision.endpoint === 'validation');
    const action: MockAction = echoed
      ? {
          type: 'answer',
          answer: echoErrorAnswer(decision.provider!, matchRoute(url.pathname)?.base ?? 'api', req.headers, echo!),
          delayMs: 0,
        }
      : decision.action;
    await execute(action, record, res, controller.signal);
  }

  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const problem = mockProblem(500, `internal mock failure: ${(err as Error).message}`);
        res.writeHead(problem.status, problem.headers);
        res.end(problem.body);
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const endpoints = (provider: ProviderId): ProviderEndpoints => {
    const r = MOCK_ROUTES[provider];
    return r.accountPrefix === undefined ? { api: url + r.apiPrefix } : { api: url + r.apiPrefix, account: url + r.accountPrefix };
  };

  const waitFor = async <T>(
    predicate: (requests: readonly RecordedRequest[]) => T | undefined | null | false,
    timeoutMs = 5000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = predicate(requests);
      if (found !== undefined && found !== null && found !== false) return found;
      if (Date.now() >= deadline) {
        const seen = requests.map((r) => `#${r.id} ${r.method} ${r.path} ${r.scenario ?? '-'} → ${r.status ?? '…'}`).join('; ');
        throw new Error(`mock-upstream: waitFor timed out after ${timeoutMs} ms; requests: ${seen || 'none'}`);
      }
      await sleep(5);
    }
  };

  return {
    url,
    requests,
    env() {
      const out: Record<string, string> = {};
      for (const provider of Object.keys(MOCK_ROUTES) as ProviderId[]) {
        const e = endpoints(provider);
        out[`PROVIDER_BASE_URL_${provider}`] = e.api;
        if (e.account !== undefined) out[`PROVIDER_ACCOUNT_URL_${provider}`] = e.account;
      }
      return out;
    },
    endpoints,
    waitFor,
    waitForRequest: (match, timeoutMs) => waitFor((rs) => rs.find(match), timeoutMs),
    setSyntheticStream(cfg) {
      synthetic = cfg;
    },
    setSlowMs(ms) {
      slowMs = ms;
    },
    setEchoError(cfg) {
      echo = cfg;
    },
    reset() {
      requests.splice(0, requests.length);
      flakyCounts = new Map();
      synthetic = null;
      slowMs = opts.slowMs ?? DEFAULT_SLOW_MS;
      echo = null;
    },
    async close() {
      closing = true;
      for (const c of inFlight) c.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
