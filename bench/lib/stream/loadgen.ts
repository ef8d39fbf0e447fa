/**
 * The stream bench's load generator, run as its own process (`fork` with IPC): the harness
 * must not share an event loop with what it measures. The parent sends `run` commands; each
 * starts `concurrency` streams against one target and answers with what every stream saw.
 *
 *   a, b  plain HTTP/1.1 SSE clients: one keep-alive http.Agent per target (connections are
 *         reused across runs), the same request body the gateway sends the upstream.
 *   r     the same HTTP client against the gateway's OpenAI-compatible REST door, with the
 *         user's token and the gateway's model id (and, with `nonStream`, one JSON answer).
 *   m     the same against the Anthropic Messages door (`x-api-key`, Anthropic's body and
 *         events; with `nonStream`, one message object).
 *   c     graphql-ws clients (the `graphql-ws` library over `ws`): a pool of connections opened
 *         before the run (ack'd with the user's token), `streamsPerSocket` subscriptions each.
 *
 * Arrival times are taken in the socket's data / message callback, on the machine's monotonic
 * clock (`monoMs`), which the upstream uses too: TTFT and gaps, and against the upstream's own
 * times the delivery latency of every delta and the split of TTFT into "to the upstream" and
 * "back from it".
 */
import { Agent, request, type ClientRequest } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Client } from 'graphql-ws';
import { CHAT } from '../../../test/support/chat';
import { connectWs } from '../gql';
import { chatBody, messagesBody } from './agent-body';
import {
  BENCH_TOOL,
  GATEWAY_MODEL,
  MESSAGES_MODEL,
  UPSTREAM_API_PATH,
  UPSTREAM_MODEL,
  monoMs,
  parseDeltaContent,
  promptMessages,
  type LoadgenCommand,
  type StreamShape,
  type LoadgenReply,
  type ReadyMessage,
  type RunCommand,
  type RunReport,
  type StreamSample,
} from './protocol';


/** Per-stream bookkeeping while it runs. */
class Recorder {
  private readonly arrivals: number[] = [];
  private readonly delivery: number[] = [];
  private lastSeq = -1;
  private toUpstream = Number.NaN;
  private firstBack = Number.NaN;
  private seqErrors = 0;
  completed = false;
  error: string | undefined;
  private closed = false;

  constructor(readonly startedAt: number, private readonly onClose: () => void) {}

  delta(content: string | null | undefined, at: number): void {
    if (this.closed) return;
    const parsed = content ? parseDeltaContent(content) : undefined;
    if (!parsed) {
      this.error ??= `unparseable delta content ${JSON.stringify(content)?.slice(0, 60)}`;
      return;
    }
    if (parsed.seq <= this.lastSeq) this.seqErrors++;
    this.lastSeq = Math.max(this.lastSeq, parsed.seq);
    if (parsed.receivedMs !== undefined && this.arrivals.length === 0) {
      this.toUpstream = parsed.receivedMs - this.startedAt;
      this.firstBack = at - parsed.sentMs;
    }
    this.arrivals.push(at);
    this.delivery.push(at - parsed.sentMs);
  }

  /** A non-streamed answer arrived whole at `at`: every delta at once (TTFT = total latency). */
  whole(at: number, deltas: number): void {
    for (let i = 0; i < deltas; i++) this.arrivals.push(at);
    this.lastSeq = deltas - 1;
  }

  fail(message: string): void {
    this.error ??= message;
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  sample(runStart: number): StreamSample {
    const n = this.arrivals.length;
    const gaps = new Float64Array(Math.max(0, n - 1));
    for (let i = 1; i < n; i++) gaps[i - 1] = this.arrivals[i]! - this.arrivals[i - 1]!;
    return {
      startMs: this.startedAt - runStart,
      ttftMs: n > 0 ? this.arrivals[0]! - this.startedAt : Number.NaN,
      gapsMs: gaps,
      deliveryMs: Float64Array.from(this.delivery),
      toUpstreamMs: this.toUpstream,
      firstBackMs: this.firstBack,
      received: n,
      seqErrors: this.seqErrors,
      completed: this.completed,
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}

// ---- (a), (b): HTTP SSE ----------------------------------------------------------------------

const agents = new Map<string, Agent>();
function agentFor(origin: string): Agent {
  let agent = agents.get(origin);
  if (!agent) {
    agent = new Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: Infinity, maxFreeSockets: 100_000, scheduling: 'lifo' });
    agents.set(origin, agent);
  }
  return agent;
}

/** Bodies built once per (target, settings): a 100 KB agent body is not rebuilt per stream. */
const bodies = new Map<string, string>();
function sseBody(cmd: RunCommand): string {
  const rest = cmd.target === 'r' || cmd.target === 'm';
  const stream = !(rest && cmd.nonStream);
  const key = `${cmd.target} ${cmd.body} ${cmd.promptMessages} ${stream} ${cmd.shape.kind}`;
  let body = bodies.get(key);
  if (body === undefined) {
    body =
      cmd.target === 'm'
        ? messagesBody(cmd.body, MESSAGES_MODEL, cmd.promptMessages, stream)
        : chatBody(cmd.body, rest ? GATEWAY_MODEL : UPSTREAM_MODEL, cmd.promptMessages, stream, cmd.shape.kind === 'tools' ? BENCH_TOOL : undefined);
    bodies.set(key, body);
  }
  return body;
}

function startSse(cmd: RunCommand, rec: Recorder): () => void {
  const url = new URL(cmd.url);
  const body = sseBody(cmd);
  const messages = cmd.target === 'm';
  const whole = (cmd.target === 'r' || messages) && cmd.nonStream;
  const req: ClientRequest = request(
    {
      agent: agentFor(url.origin),
      host: url.hostname,
      port: url.port,
      method: 'POST',
      // The gateway's REST door is OpenAI's path too (/v1); the pipe and upstream take the same.
      path: messages ? '/v1/messages' : `${UPSTREAM_API_PATH}/chat/completions`,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(messages ? { 'x-api-key': cmd.token, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${cmd.token}` }),
        'content-length': Buffer.byteLength(body),
      },
    },
    (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        rec.fail(`HTTP ${res.statusCode}`);
        return;
      }
      res.setEncoding('utf8');
      let buf = '';
      if (whole) {
        res.on('data', (text: string) => (buf += text));
        res.on('end', () => {
          const parsed = JSON.parse(buf) as { object?: string; type?: string; choices?: Array<{ message?: { content?: string } }>; content?: Array<{ text?: string }> };
          const ok = messages ? parsed.type === 'message' && parsed.content?.[0]?.text : parsed.object === 'chat.completion' && parsed.choices?.[0]?.message?.content;
          if (ok) {
            rec.whole(monoMs(), cmd.shape.deltas);
            rec.completed = true;
          } else rec.error ??= `unexpected answer ${buf.slice(0, 80)}`;
          rec.close();
        });
        res.on('error', (err) => rec.fail(`response: ${err.message}`));
        return;
      }
      let counted = 0;
      res.on('data', (text: string) => {
        const at = monoMs();
        buf += text;
        let end: number;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          let event = buf.slice(0, end);
          buf = buf.slice(end + 2);
          // Anthropic names each event first (`event: content_block_delta`), then its data.
          if (messages && event.startsWith('event: ')) event = event.slice(event.indexOf('\n') + 1);
          if (!event.startsWith('data: ')) continue;
          const data = event.slice(6);
          if (messages) {
            const ev = JSON.parse(data) as { type?: string; delta?: { text?: string } };
            if (ev.type === 'message_stop') {
              if (cmd.nonStream) rec.whole(at, counted);
              rec.completed = true;
            } else if (ev.type === 'content_block_delta' && ev.delta?.text) rec.delta(ev.delta.text, at);
            continue;
          }
          if (data === '[DONE]') {
            // Non-stream comparison: a and b count as answered when the whole stream is in.
            if (cmd.nonStream) rec.whole(at, counted);
            rec.completed = true;
            continue;
          }
          const parsed = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null; tool_calls?: Array<{ function?: { arguments?: string } }> } }> };
          const delta = parsed.choices?.[0]?.delta;
          const content = delta?.content ?? delta?.tool_calls?.[0]?.function?.arguments;
          if (content && cmd.nonStream) counted++;
          else if (content) rec.delta(content, at);
        }
      });
      res.on('end', () => {
        if (!rec.completed) rec.error ??= 'the stream ended without [DONE]';
        rec.close();
      });
      res.on('error', (err) => rec.fail(`response: ${err.message}`));
    },
  );
  req.on('error', (err) => rec.fail(`request: ${err.message}`));
  req.end(body);
  return () => req.destroy();
}

// ---- (c): graphql-ws --------------------------------------------------------------------------

const pool: Client[] = [];
let poolKey = '';

async function ensurePool(url: string, token: string, size: number): Promise<void> {
  const key = `${url} ${token}`;
  if (key !== poolKey) {
    await Promise.all(pool.splice(0).map((c) => c.dispose()));
    poolKey = key;
  }
  // Opened before the run, in batches, so connection set-up is not part of any stream.
  while (pool.length < size) {
    const batch = Math.min(50, size - pool.length);
    pool.push(...(await Promise.all(Array.from({ length: batch }, () => connectWs(url, token, 30_000)))));
  }
}

interface ChatEventLite {
  type: string;
  content?: string | null;
  toolCalls?: Array<{ arguments?: string | null }> | null;
}

function startSubscription(client: Client, rec: Recorder, messages: number, shape: StreamShape): () => void {
  const input = {
    model: GATEWAY_MODEL,
    messages: promptMessages(messages).map((m) => ({ role: m.role.toUpperCase(), content: m.content })),
    ...(shape.kind === 'tools' ? { tools: [BENCH_TOOL] } : {}),
  };
  const cancel = client.subscribe<{ chatCompletion: ChatEventLite }>(
    { query: CHAT, variables: { input } },
    {
      next: (r) => {
        const at = monoMs();
        if (r.errors?.length) {
          rec.error ??= `${r.errors[0]?.extensions?.code ?? 'ERROR'}: ${r.errors[0]?.message}`;
          return;
        }
        const ev = r.data?.chatCompletion;
        if (ev?.type === 'DELTA') rec.delta(ev.content ?? ev.toolCalls?.[0]?.arguments, at);
        else if (ev?.type === 'DONE') rec.completed = true;
      },
      error: (err) => rec.fail(`subscription: ${err instanceof Error ? err.message : JSON.stringify(err).slice(0, 200)}`),
      complete: () => {
        if (!rec.completed) rec.error ??= 'the subscription completed without DONE';
        rec.close();
      },
    },
  );
  return cancel;
}

// ---- a run ------------------------------------------------------------------------------------

async function run(cmd: RunCommand): Promise<RunReport> {
  const sockets = cmd.target === 'c' ? Math.ceil(cmd.concurrency / cmd.streamsPerSocket) : 0;
  if (cmd.target === 'c') await ensurePool(cmd.url, cmd.token, sockets);

  const recorders: Recorder[] = [];
  const cancels: Array<() => void> = [];
  const timers: NodeJS.Timeout[] = [];
  let open = cmd.concurrency;
  let allClosed!: () => void;
  const finished = new Promise<void>((resolve) => (allClosed = resolve));
  const onClose = (): void => {
    if (--open === 0) allClosed();
  };

  const elu0 = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const runStart = monoMs();
  const startOne = (i: number): void => {
    const rec = new Recorder(monoMs(), onClose);
    recorders[i] = rec;
    cancels[i] = cmd.target === 'c' ? startSubscription(pool[i % sockets]!, rec, cmd.promptMessages, cmd.shape) : startSse(cmd, rec);
    timers.push(
      setTimeout(() => {
        if (rec.isClosed) return;
        rec.fail(`timed out after ${cmd.streamTimeoutMs} ms`);
        cancels[i]?.();
      }, cmd.streamTimeoutMs),
    );
  };
  if (cmd.rampMs <= 0 || cmd.concurrency === 1) {
    for (let i = 0; i < cmd.concurrency; i++) startOne(i);
  } else {
    // Evenly over rampMs: the streams' delta timers then spread over one interval, not one tick.
    for (let i = 0; i < cmd.concurrency; i++) timers.push(setTimeout(() => startOne(i), (i * cmd.rampMs) / cmd.concurrency));
  }
  await finished;
  const wallMs = monoMs() - runStart;
  delay.disable();
  for (const t of timers) clearTimeout(t);
  const elu = performance.eventLoopUtilization(elu0);
  return {
    type: 'run-done',
    id: cmd.id,
    target: cmd.target,
    concurrency: cmd.concurrency,
    wallMs,
    samples: recorders.map((r) => r.sample(runStart)),
    loadgen: { eventLoopUtilization: elu.utilization, eventLoopDelayP99Ms: delay.percentile(99) / 1e6, sockets },
  };
}

function reply(m: LoadgenReply): void {
  process.send?.(m);
}

process.on('message', (m: LoadgenCommand) => {
  if (m.type === 'run') {
    run(m).then(reply, (err: unknown) => reply({ type: 'failed', id: m.id, error: err instanceof Error ? err.message : String(err) }));
  } else if (m.type === 'close') {
    void Promise.all(pool.splice(0).map((c) => c.dispose())).finally(() => {
      for (const a of agents.values()) a.destroy();
      reply({ type: 'closed', id: m.id });
    });
  }
});
const ready: ReadyMessage = { type: 'ready', port: 0 };
process.send?.(ready);
