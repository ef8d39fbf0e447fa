/**
 * What the stream bench's processes say to each other over their IPC channels (Node's
 * `advanced` serialization, so typed arrays travel as they are), and the shape of the
 * upstream's stream, which every process must agree on.
 */

/**
 * Which path a stream takes: (a) direct to the upstream, (b) the bare Node pipe, (c) the
 * gateway's subscription, (r) the gateway's OpenAI-compatible REST door, (m) the gateway's
 * Anthropic Messages door to an Anthropic-dialect upstream (same pacing).
 */
export type Target = 'a' | 'b' | 'c' | 'r' | 'm';

export const TARGET_LABELS: Record<Target, string> = {
  a: '(a) direct SSE to upstream',
  b: '(b) bare Node pipe',
  c: '(c) gateway chatCompletion',
  r: '(r) gateway REST /v1/chat/completions',
  m: '(m) gateway REST /v1/messages',
};

/**
 * The request body every HTTP target sends: `tiny` is the prompt alone; `agent` is what a
 * coding agent sends on every turn (~100 KB: a long system prompt as text parts and two dozen
 * tools with JSON schemas), where request parsing and translation dominate.
 */
export type BodyKind = 'tiny' | 'agent';

/**
 * The upstream's stream: `deltas` deltas, `intervalMs` apart, the first at once; `text` streams
 * content, `tools` the same payloads as one tool call's argument fragments (an agent writing a
 * file), so both take the gateway's path for their kind of delta.
 */
export interface StreamShape {
  deltas: number;
  intervalMs: number;
  kind: 'text' | 'tools';
}

/** The tool the `tools` kind declares and calls. */
export const BENCH_TOOL = {
  name: 'write_file',
  description: 'Write a file',
  parameters: { type: 'object', properties: { path: { type: 'string' }, text: { type: 'string' } }, required: ['path', 'text'] },
};

/** The model the streams ask for: the upstream id and the gateway's catalog id serving it. */
export const UPSTREAM_MODEL = 'gpt-5.4-mini';
export const GATEWAY_MODEL = 'openai/gpt-5.4-mini';
/** Under this path the upstream answers; PROVIDER_BASE_URL_OPENAI = upstream url + this. */
export const UPSTREAM_API_PATH = '/v1';
/** (m): the Claude model the Messages door asks for; the upstream answers it in Anthropic's dialect. */
export const MESSAGES_MODEL = 'anthropic/claude-haiku-4.5';
/** PROVIDER_BASE_URL_ANTHROPIC = upstream url + this (the adapter POSTs `…/messages`). */
export const UPSTREAM_ANTHROPIC_PATH = '/anthropic/v1';

/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC, what `process.hrtime` reads):
 * one clock for every process on the machine, so times taken in different processes compare.
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * A delta's content: `<seq>|<upstream write time>|`, and for delta 0 also `<request received
 * time>|` (monoMs). The gateway relays content untouched, so every client can tell the
 * sequence, when the upstream wrote the event and, for the first, when the request reached it.
 */
/** A conversation of `n` short messages alternating user / assistant, ending with the user's. */
export function promptMessages(n: number): Array<{ role: 'user' | 'assistant'; content: string }> {
  return Array.from({ length: n }, (_, i) => ({
    role: (n - 1 - i) % 2 === 0 ? ('user' as const) : ('assistant' as const),
    content: i === n - 1 ? 'Hi' : `Message ${i} of the conversation so far, a sentence or two long like a real one.`,
  }));
}

export function deltaContent(seq: number, sentMs: number, receivedMs?: number): string {
  return receivedMs === undefined ? `${seq}|${sentMs.toFixed(3)}|` : `${seq}|${sentMs.toFixed(3)}|${receivedMs.toFixed(3)}|`;
}

export function parseDeltaContent(content: string): { seq: number; sentMs: number; receivedMs?: number } | undefined {
  const parts = content.split('|');
  if (parts.length < 3) return undefined;
  const seq = Number(parts[0]);
  const sentMs = Number(parts[1]);
  if (!Number.isInteger(seq) || !Number.isFinite(sentMs)) return undefined;
  const receivedMs = parts.length > 3 && parts[2] !== '' ? Number(parts[2]) : undefined;
  return receivedMs !== undefined && Number.isFinite(receivedMs) ? { seq, sentMs, receivedMs } : { seq, sentMs };
}

// ---- child → parent, every child -------------------------------------------------------------

export interface ReadyMessage {
  type: 'ready';
  /** The port a server child listens on (0 for the load generator). */
  port: number;
}

// ---- parent → load generator ----------------------------------------------------------------

export interface RunCommand {
  type: 'run';
  id: number;
  target: Target;
  /** a: upstream url; b: pipe url; c: gateway url (http://…; the ws url is derived). */
  url: string;
  concurrency: number;
  /** Stream starts are spread evenly over this many ms (0: all in one tick). */
  rampMs: number;
  /** A stream not finished this long after its start is cut and counted as an error. */
  streamTimeoutMs: number;
  shape: StreamShape;
  /** a/b: the BYOK key sent as Bearer; c: the user's API token. */
  token: string;
  /** c: subscriptions per WebSocket connection. */
  streamsPerSocket: number;
  /** Messages in the prompt (a conversation's history; the last one is the user's). */
  promptMessages: number;
  /** a, b, r: the request body's kind. */
  body: BodyKind;
  /**
   * r: ask for one chat.completion instead of a stream; a and b still stream (the upstream
   * always does) and their "TTFT" is then the time to [DONE], so r − a is the added latency.
   */
  nonStream: boolean;
}

export interface CloseCommand {
  type: 'close';
  id: number;
}

export type LoadgenCommand = RunCommand | CloseCommand;

// ---- load generator → parent ----------------------------------------------------------------

/** One stream as the client saw it. Times are monoMs, ms. */
export interface StreamSample {
  /** Request start, relative to the run's start. */
  startMs: number;
  /** First DELTA's arrival − request start; NaN when none arrived. */
  ttftMs: number;
  /** Gaps between consecutive DELTA arrivals (received − 1 values). */
  gapsMs: Float64Array;
  /** Per DELTA: arrival − the upstream's write (monoMs, cross-process). */
  deliveryMs: Float64Array;
  /** The request reaching the upstream − request start: what the path does before the upstream call. */
  toUpstreamMs: number;
  /** The first DELTA's arrival − the upstream's write of it: the way back. */
  firstBackMs: number;
  received: number;
  /** Deltas out of order or repeated (a sequence gap is a drop, counted by `received`). */
  seqErrors: number;
  /** The stream ended properly ([DONE] / DONE event then completion). */
  completed: boolean;
  error?: string;
}

export interface RunReport {
  type: 'run-done';
  id: number;
  target: Target;
  concurrency: number;
  wallMs: number;
  samples: StreamSample[];
  /** The load generator's own load during the run: it must not be what is measured. */
  loadgen: { eventLoopUtilization: number; eventLoopDelayP99Ms: number; sockets: number };
}

export interface CommandFailed {
  type: 'failed';
  id: number;
  error: string;
}

export type LoadgenReply = RunReport | CommandFailed | { type: 'closed'; id: number };

// ---- parent ↔ upstream ----------------------------------------------------------------------

export interface UpstreamStatsRequest {
  type: 'stats';
  id: number;
}

export interface UpstreamStats {
  type: 'stats';
  id: number;
  streamsStarted: number;
  streamsFinished: number;
  /** Streams whose client went away before the end. */
  streamsCut: number;
  modelsCalls: number;
  /** The most streams open at once. */
  peakOpen: number;
  /** How late the upstream's own delta timers fired (ms, p99 over the writes since the last stats). */
  lateP99Ms: number;
}
