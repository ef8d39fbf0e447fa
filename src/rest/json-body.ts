import type { IncomingMessage } from 'node:http';
import { AppError, badInput } from '../errors/app-error';

/** The request limit when configuration sets none: 20 MB (images travel inline as base64). */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * Deepest nesting accepted. Real requests (tool schemas included) stay far below; the cap keeps
 * every recursive walker after the parse (schema checks, JSON.stringify) off the stack limit.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Most values (strings, containers, commas) accepted in one body. A 20-tool coding-agent turn
 * holds a few thousand, a 1000-message history tens of thousands; big legitimate bodies are big
 * because of long strings (images, files), which parse far faster per byte. Many tiny values
 * are what makes JSON.parse slow (~25-50 ms per 250k here), so capping their number caps how
 * long the one synchronous parse can block the loop.
 */
export const MAX_JSON_VALUES = 250_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Watches a JSON text as it arrives, chunk by chunk, so a hostile body is refused while it is
 * still being received and the synchronous JSON.parse afterwards has a bounded cost. It tracks
 * only what it needs (inside a string or not, nesting depth, a value count); JSON.parse stays
 * the judge of syntax. String contents are skipped with Buffer#indexOf (native), so a large
 * base64 image costs almost nothing here.
 */
export class JsonShapeGuard {
  private inString = false;
  /** The next byte is escaped (a string's backslash ended the previous chunk). */
  private escaped = false;
  private depth = 0;
  private values = 0;

  constructor(
    private readonly maxDepth = MAX_JSON_DEPTH,
    private readonly maxValues = MAX_JSON_VALUES,
  ) {}

  /** Throws BAD_USER_INPUT as soon as the text nests too deep or holds too many values. */
  push(buf: Buffer): void {
    const len = buf.length;
    let i = 0;
    while (i < len) {
      if (this.inString) {
        i = this.skipString(buf, i);
        continue;
      }
      const c = buf[i++];
      if (c === QUOTE) {
        this.inString = true;
        this.count();
      } else if (c === 0x7b || c === 0x5b) {
        if (++this.depth > this.maxDepth) throw badInput(`the JSON body nests deeper than ${this.maxDepth} levels`, 'body');
        this.count();
      } else if (c === 0x7d || c === 0x5d) this.depth--;
      else if (c === 0x2c) this.count();
    }
  }

  /**
   * Advances through string contents from `i`; returns where scanning resumes. Short strings
   * (keys, small values) end within a few bytes, where a byte loop is cheapest; a long one is
   * crossed with indexOf, which finds the next quote natively. Escape-dense text stays in the
   * byte loop for most of its bytes, so it costs one native call per 64 bytes at worst.
   */
  private skipString(buf: Buffer, from: number): number {
    const len = buf.length;
    let i = from;
    const stop = Math.min(len, i + 64);
    for (; i < stop; i++) {
      if (this.escaped) this.escaped = false;
      else if (buf[i] === BACKSLASH) this.escaped = true;
      else if (buf[i] === QUOTE) {
        this.inString = false;
        return i + 1;
      }
    }
    if (i >= len) return len;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    const q = buf.indexOf(QUOTE, i);
    const end = q < 0 ? len : q;
    let run = 0; // backslashes right before `end`; the byte at `i` is not escaped
    for (let k = end - 1; k >= i && buf[k] === BACKSLASH; k--) run++;
    if (q < 0) {
      this.escaped = run % 2 === 1;
      return len;
    }
    if (run % 2 === 0) this.inString = false;
    return q + 1;
  }

  private count(): void {
    if (++this.values > this.maxValues) throw badInput(`the JSON body holds more than ${this.maxValues} values`, 'body');
  }
}

/** 413 for a body over the limit: the client should send less, not retry. */
export function payloadTooLarge(limitBytes: number): AppError {
  return new AppError('BAD_USER_INPUT', `The request body is larger than the limit of ${limitBytes} bytes`, { httpStatus: 413 });
}

/**
 * Reads and parses a JSON request body of at most `limitBytes`. Refuses at once when
 * Content-Length announces more, and stops reading (the connection is then closed by the
 * error response) as soon as a chunked body passes the limit or the shape guard objects, so a
 * hostile client costs neither memory nor a long parse.
 */
export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limitBytes) return Promise.reject(payloadTooLarge(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const guard = new JsonShapeGuard();
    let size = 0;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) return fail(payloadTooLarge(limitBytes));
      try {
        guard.push(chunk);
      } catch (err) {
        return fail(err);
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      if (text.trim() === '') return reject(badInput('The request body must be a JSON object', 'body'));
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(badInput(`The request body is not valid JSON: ${(err as Error).message.slice(0, 200)}`, 'body'));
      }
    };
    const onAborted = () => fail(new AppError('BAD_USER_INPUT', 'The client closed the connection before sending the whole body', { httpStatus: 400 }));
    const onError = (err: Error) => fail(err);
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  });
}
