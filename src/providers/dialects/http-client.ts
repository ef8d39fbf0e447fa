/**
 * The streaming POST under the three SSE dialects: node:http(s) over keep-alive agents rather
 * than fetch. fetch routes every chunk through WHATWG streams and costs about a millisecond more
 * per request before the first byte; on the hot path of every completion that is most of what a
 * gateway adds (bench/README.md "stream").
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

/**
 * Connections stay open between completions. An idle one is closed after 4 s, before the 5 s
 * idle timeout common on servers (Node's own default), so we rarely pick a socket the server is
 * closing; when we do, {@link postForStream} retries once on a new connection. Node keeps only
 * 256 idle sockets per host by default: after a burst of 1000 streams to one provider, 744 would
 * be closed and the next burst would pay a TCP connect each (a CPU profile at 1000 streams showed
 * connect and close at ~7 % of the process). The idle timeout bounds what stays open.
 */
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 8192, scheduling: 'lifo' as const, timeout: 4000 };
const httpAgent = new HttpAgent(AGENT_OPTIONS);
const httpsAgent = new HttpsAgent(AGENT_OPTIONS);

export interface StreamingResponse {
  status: number;
  body: IncomingMessage;
}

/**
 * POSTs `body` and resolves with the status and the unread body once the response head arrived.
 * `signal` aborts the request or, later, the body: its socket is destroyed, never reused. A
 * network failure rejects with the socket error (its message may name the host: map it, never
 * forward it).
 */
export async function postForStream(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<StreamingResponse> {
  const target = targetOf(url);
  try {
    return await post(target, headers, body, signal, false);
  } catch (err) {
    // A kept-alive socket the server closed while idle: the request never reached it.
    if (!(err instanceof StaleSocketError) || signal.aborted) throw err instanceof StaleSocketError ? err.cause : err;
    return post(target, headers, body, signal, true);
  }
}

class StaleSocketError extends Error {
  constructor(override readonly cause: unknown) {
    super('kept-alive socket closed by the server');
  }
}

/** Where a URL points, as request options: parsed once per URL (a provider has a few). */
interface Target {
  secure: boolean;
  options: RequestOptions;
}

const targets = new Map<string, Target>();

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { secure: parsed.protocol === 'https:', options: urlToHttpOptions(parsed) };
    if (targets.size >= 1000) targets.clear(); // operator-set URLs: a handful; never unbounded
    targets.set(url, target);
  }
  return target;
}

function post(target: Target, headers: Record<string, string>, body: string, signal: AbortSignal, fresh: boolean): Promise<StreamingResponse> {
  const { secure } = target;
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        ...target.options,
        method: 'POST',
        // The retry must not pick another idle socket of the same pool.
        agent: fresh ? false : secure ? httpsAgent : httpAgent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
      },
      (res) => resolve({ status: res.statusCode ?? 0, body: res }),
    );
    req.setNoDelay(true);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      reject(stale ? new StaleSocketError(err) : err);
    });
    req.end(body);
  });
}

/** Reads up to `cap` bytes of an error body as text, then lets the connection go. */
export async function readCapped(body: IncomingMessage, cap: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const part = chunk.byteLength + size > cap ? chunk.subarray(0, cap - size) : chunk;
      chunks.push(part);
      size += part.byteLength;
      if (size >= cap) break;
    }
  } catch {
    // The status alone decides; a broken error body is not worth failing over.
  } finally {
    if (!body.complete) body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
