/**
 * The chaos bench's completions: one `chatCompletion` subscription on a graphql-ws socket, seen
 * from the client. Each ends as `completed` (every DELTA, then DONE) or as a failure named by what
 * the client saw: `error <extensions.code>`, `socket closed <close code>`, `ended without DONE`,
 * `timeout`. The request id comes from the first event, so the usage record can be looked up.
 */
import type { Client } from 'graphql-ws';
import { CHAT } from '../../../test/support/chat';
import { connectWs } from '../gql';
import { GATEWAY_MODEL, promptMessages } from '../stream/protocol';

export const COMPLETED = 'completed';

export interface StreamResult {
  phase: string;
  requestId: string | undefined;
  /** DELTA events received. */
  deltas: number;
  /** Characters of content those DELTAs carried. */
  chars: number;
  /** `completed` or the failure. */
  outcome: string;
}

const INPUT = { model: GATEWAY_MODEL, messages: promptMessages(4).map((m) => ({ role: m.role.toUpperCase(), content: m.content })) };

/** A stream in progress: its request id and DELTA count so far, and promises for its milestones. */
export class StreamRun {
  requestId: string | undefined;
  deltas = 0;
  chars = 0;
  /** Resolves at the first DELTA (the upstream was called and answered), or when the stream ends first. */
  readonly firstDelta: Promise<void>;
  readonly done: Promise<StreamResult>;
  private markFirst!: () => void;

  constructor(
    readonly phase: string,
    client: Client | Promise<Client>,
    timeoutMs: number,
  ) {
    this.firstDelta = new Promise((r) => (this.markFirst = r));
    this.done = this.run(client, timeoutMs).then((outcome) => {
      this.markFirst();
      return { phase: this.phase, requestId: this.requestId, deltas: this.deltas, chars: this.chars, outcome };
    });
  }

  private async run(clientOrPromise: Client | Promise<Client>, timeoutMs: number): Promise<string> {
    let client: Client;
    try {
      client = await clientOrPromise;
    } catch (err) {
      return connectFailure(err);
    }
    let sawDone = false;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    const outcome = await new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      unsubscribe = client.subscribe(
        { query: CHAT, variables: { input: INPUT } },
        {
          next: (r) => {
            if (r.errors?.length) return resolve(`error ${String(r.errors[0]?.extensions?.code ?? r.errors[0]?.message)}`);
            const ev = (r.data as { chatCompletion?: { type?: string; requestId?: string; content?: string | null } } | null | undefined)?.chatCompletion;
            if (!ev) return;
            this.requestId ??= ev.requestId;
            if (ev.type === 'DELTA') {
              this.chars += ev.content?.length ?? 0;
              if (this.deltas++ === 0) this.markFirst();
            } else if (ev.type === 'DONE') sawDone = true;
          },
          error: (e) => resolve(subscriptionFailure(e)),
          complete: () => resolve(sawDone ? COMPLETED : 'ended without DONE'),
        },
      );
    });
    clearTimeout(timer);
    if (outcome === 'timeout') unsubscribe?.();
    return outcome;
  }
}

function subscriptionFailure(e: unknown): string {
  if (Array.isArray(e)) return `error ${String((e[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code ?? 'unknown')}`;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return `socket closed ${code}`;
  return `socket error ${e instanceof Error ? e.message : String(e)}`.slice(0, 80);
}

/** connectWs rejects with "WebSocket closed before ack: <code>" (or a timeout / network error). */
function connectFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = /closed before ack: (\S+)/.exec(message)?.[1];
  return code ? `socket closed ${code} at connect` : `connect failed: ${message}`.slice(0, 80);
}

/** Opens a socket (not awaited: a connect failure becomes the stream's outcome) and runs one stream on it. */
export function streamOnNewSocket(url: string, token: string, phase: string, timeoutMs: number): { run: StreamRun; socket: Promise<Client | undefined> } {
  const socket = connectWs(url, token);
  return { run: new StreamRun(phase, socket, timeoutMs), socket: socket.catch(() => undefined) };
}

/** `n` streams started at `at(i)` ms from now, round-robin over `sockets`. */
export function scheduleStreams(n: number, at: (i: number) => number, start: (i: number) => StreamRun): Promise<StreamRun[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => new Promise<StreamRun>((resolve) => setTimeout(() => resolve(start(i)), Math.max(0, at(i))))));
}

/** `n` start times spread evenly over [from, to] ms. */
export function spread(n: number, from: number, to: number): (i: number) => number {
  return (i) => (n <= 1 ? from : from + ((to - from) * i) / (n - 1));
}

export interface PhaseRow {
  phase: string;
  started: number;
  completed: number;
  failed: number;
  /** Failures by what the client saw. */
  failures: Record<string, number>;
}

export function tally(phase: string, results: readonly StreamResult[]): PhaseRow {
  const failures: Record<string, number> = {};
  for (const r of results) if (r.outcome !== COMPLETED) failures[r.outcome] = (failures[r.outcome] ?? 0) + 1;
  const completed = results.filter((r) => r.outcome === COMPLETED).length;
  return { phase, started: results.length, completed, failed: results.length - completed, failures };
}
