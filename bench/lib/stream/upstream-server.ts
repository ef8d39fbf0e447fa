/**
 * The stream bench's upstream, run as its own process (`fork`, argv: deltas intervalMs): a
 * minimal OpenAI Chat Completions server on 127.0.0.1.
 *
 *   POST …/chat/completions  200 text/event-stream: delta 0 at once (with the role), then one
 *                            delta every intervalMs on an absolute schedule (no drift), then the
 *                            finish chunk, the usage chunk and `data: [DONE]`, one write each.
 *                            Each delta's content is `<seq>|<write time>|` (monoMs), delta 0's
 *                            also `<request received time>|`.
 *   POST …/messages          the same stream in Anthropic's Messages dialect (message_start,
 *                            one text block, message_delta with usage, message_stop), for the
 *                            Messages door (m): same deltas, same schedule, one write each.
 *   GET  …/models            200 model list (the gateway's key validation).
 *
 * Nothing random: no chunking, no jitter. It reports through IPC how late its own timers fired,
 * so a late upstream is told apart from a slow path; each stats answer covers the time since the
 * previous one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deltaContent, monoMs, UPSTREAM_MODEL, type ReadyMessage, type UpstreamStats, type UpstreamStatsRequest } from './protocol';

const deltas = Number(process.argv[2] ?? 64);
const intervalMs = Number(process.argv[3] ?? 20);
const tools = process.argv[4] === 'tools';

const created = Math.floor(Date.now() / 1000);
const chunk = (choices: string, extra = ''): string =>
  `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${created},"model":"${UPSTREAM_MODEL}","system_fingerprint":"fp_bench","choices":${choices}${extra}}\n\n`;
const deltaEvent = (seq: number, receivedMs: number): string => {
  const payload = seq === 0 ? deltaContent(0, monoMs(), receivedMs) : deltaContent(seq, monoMs());
  // tools: the payload as argument fragments of one call, OpenAI's convention (first piece with id and name).
  const delta = tools
    ? seq === 0
      ? `{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_bench0","type":"function","function":{"name":"write_file","arguments":"${payload}"}}]}`
      : `{"tool_calls":[{"index":0,"function":{"arguments":"${payload}"}}]}`
    : seq === 0
      ? `{"role":"assistant","content":"${payload}"}`
      : `{"content":"${payload}"}`;
  return chunk(`[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}]`);
};
const FINISH = chunk(`[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${tools ? 'tool_calls' : 'stop'}"}]`);
const USAGE = chunk(
  '[]',
  `,"usage":{"prompt_tokens":8,"completion_tokens":${deltas},"total_tokens":${8 + deltas},"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}`,
);
const MODELS = JSON.stringify({ object: 'list', data: [{ id: UPSTREAM_MODEL, object: 'model', created, owned_by: 'openai' }] });

const stats = { streamsStarted: 0, streamsFinished: 0, streamsCut: 0, modelsCalls: 0, open: 0, peakOpen: 0 };
/** Timer lateness histogram in 0.1 ms buckets up to 10 s (the last bucket holds the rest). */
const late = new Uint32Array(100_001);

/** Anthropic's SSE around the same delta contents (tools.md §2.2). */
const anthropicEvent = (type: string, data: string): string => `event: ${type}\ndata: {"type":"${type}",${data}}\n\n`;
const ANTHROPIC_HEAD =
  anthropicEvent('message_start', `"message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":8,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}`) +
  anthropicEvent('content_block_start', '"index":0,"content_block":{"type":"text","text":""}');
const ANTHROPIC_TAIL =
  anthropicEvent('content_block_stop', '"index":0') +
  anthropicEvent('message_delta', `"delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${deltas}}`) +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';
const anthropicDelta = (seq: number, receivedMs: number): string =>
  anthropicEvent('content_block_delta', `"index":0,"delta":{"type":"text_delta","text":"${seq === 0 ? deltaContent(0, monoMs(), receivedMs) : deltaContent(seq, monoMs())}"}`);

interface Dialect {
  /** Written with delta 0. */
  head: string;
  delta(seq: number, receivedMs: number): string;
  /** Written after the last delta, in one write (OpenAI: three). */
  tail: string[];
}
const OPENAI: Dialect = { head: '', delta: deltaEvent, tail: [FINISH, USAGE, 'data: [DONE]\n\n'] };
const ANTHROPIC: Dialect = { head: ANTHROPIC_HEAD, delta: anthropicDelta, tail: [ANTHROPIC_TAIL] };

function stream(res: ServerResponse, receivedMs: number, dialect: Dialect = OPENAI): void {
  stats.streamsStarted++;
  stats.open++;
  stats.peakOpen = Math.max(stats.peakOpen, stats.open);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const t0 = monoMs();
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = (cut: boolean): void => {
    if (done) return;
    done = true;
    stats.open--;
    if (cut) stats.streamsCut++;
    else stats.streamsFinished++;
    if (timer) clearTimeout(timer);
  };
  res.on('close', () => finish(true));
  const tick = (): void => {
    if (done) return;
    if (seq > 0) late[Math.min(late.length - 1, Math.max(0, Math.round((monoMs() - (t0 + seq * intervalMs)) * 10)))]!++;
    res.write(seq === 0 ? dialect.head + dialect.delta(0, receivedMs) : dialect.delta(seq, receivedMs));
    seq++;
    if (seq < deltas) {
      timer = setTimeout(tick, Math.max(0, t0 + seq * intervalMs - monoMs()));
      return;
    }
    const tail = dialect.tail;
    for (let i = 0; i < tail.length - 1; i++) res.write(tail[i]!);
    res.end(tail[tail.length - 1]);
    finish(false);
  };
  tick();
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const receivedMs = monoMs();
  const path = (req.url ?? '/').split('?')[0]!;
  // Read the whole request body first, as a real provider does before it answers.
  req.resume();
  req.on('end', () => {
    if (req.method === 'POST' && path.endsWith('/chat/completions')) return stream(res, receivedMs);
    if (req.method === 'POST' && path.endsWith('/messages')) return stream(res, receivedMs, ANTHROPIC);
    if (req.method === 'GET' && path.endsWith('/models')) {
      stats.modelsCalls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(MODELS);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
  });
}

function lateP99(): number {
  let total = 0;
  for (const n of late) total += n;
  if (total === 0) return 0;
  const rank = Math.ceil(total * 0.99);
  let seen = 0;
  for (let i = 0; i < late.length; i++) {
    seen += late[i]!;
    if (seen >= rank) return i / 10;
  }
  return (late.length - 1) / 10;
}

const server = createServer({ keepAlive: true, noDelay: true }, handle);
// Keep idle keep-alive connections between runs; no request deadline (a stream lasts seconds).
server.keepAliveTimeout = 120_000;
server.headersTimeout = 60_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;
// Node's default accept backlog (511) overflows when thousands of connections open at once (the
// probe's bursts): the kernel then drops or resets them, which no real provider's edge does.
server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, () => {
  const ready: ReadyMessage = { type: 'ready', port: (server.address() as AddressInfo).port };
  process.send?.(ready);
});
process.on('message', (m: UpstreamStatsRequest) => {
  if (m?.type !== 'stats') return;
  const { open: _open, ...rest } = stats;
  const reply: UpstreamStats = { type: 'stats', id: m.id, ...rest, lateP99Ms: lateP99() };
  process.send?.(reply);
  // Every answer covers the time since the previous one.
  Object.assign(stats, { streamsStarted: 0, streamsFinished: 0, streamsCut: 0, modelsCalls: 0, peakOpen: stats.open });
  late.fill(0);
});
