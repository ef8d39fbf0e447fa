/**
 * Incremental Server-Sent Events parser (WHATWG HTML "Parsing an event stream"), fed raw bytes.
 *
 * Why bytes and not strings: network chunks split events and even multi-byte UTF-8 characters
 * (providers.md §3.1, bifrost#372, rig#683), so decoding goes through one streaming TextDecoder and
 * lines are cut as they complete: text without a line end is parked, never rescanned.
 */

const STREAM = { stream: true };

/**
 * Whether the last bytes of `b` surely complete a UTF-8 sequence. False when unsure (no lead
 * byte within the chunk's last 4 bytes): the streaming decoder then keeps going, which is
 * always right.
 */
function endsOnCharBoundary(b: Uint8Array): boolean {
  for (let i = b.length - 1, back = 1; i >= 0 && back <= 4; i--, back++) {
    const byte = b[i]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation
    return back >= (byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1);
  }
  return false;
}

/** One dispatched SSE event. `event` is absent when the stream did not name it ("message"). */
export interface SseEvent {
  event?: string;
  data: string;
}

const LF = 10;
const COLON = 58;
const SPACE = 32;

/**
 * Push-style parser: feed it chunks with {@link SseParser.push}, then call {@link SseParser.end}
 * at EOF. Both return the events completed by that call, in order.
 */
export class SseParser {
  // The WHATWG decoder strips a leading BOM (ignoreBOM false) and turns bad bytes into U+FFFD,
  // exactly what the SSE spec asks for.
  private readonly decoder = new TextDecoder('utf-8');
  /** Pieces of the current incomplete line (never containing a line terminator). */
  private pending: string[] = [];
  /** The previous chunk ended on `\r`: a `\n` starting the next one belongs to that line break. */
  private skipLeadingLf = false;
  private data = '';
  private hasData = false;
  private eventName = '';

  /** The decoder holds the start of a character split across chunks. */
  private decoderPending = false;
  private started = false;

  /** Feeds one network chunk; returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    this.consume(this.decode(chunk), out);
    return out;
  }

  /**
   * A chunk that ends on an ASCII byte while the decoder holds nothing decodes on its own with
   * Buffer's native UTF-8 slice, several times cheaper than the WHATWG decoder's streaming mode
   * (the usual SSE chunk: whole events ending in a line feed); the same replacement of bad bytes
   * and BOM handling apply. Anything else goes through the streaming decoder.
   */
  private decode(chunk: Uint8Array): string {
    const first = !this.started;
    this.started = true;
    const n = chunk.length;
    if (n === 0) return '';
    if (!this.decoderPending && chunk[n - 1]! < 0x80) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, n).toString('utf8');
      return first && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    }
    const text = this.decoder.decode(chunk, STREAM);
    this.decoderPending = !endsOnCharBoundary(chunk);
    return text;
  }

  /**
   * Flushes the decoder at EOF. Per the spec an event not terminated by a blank line is
   * discarded, so a truncated final event never reaches a JSON parser half-written.
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.consume(this.decoder.decode(), out);
    this.pending = [];
    this.data = '';
    this.hasData = false;
    this.eventName = '';
    return out;
  }

  private consume(text: string, out: SseEvent[]): void {
    let from = 0;
    if (this.skipLeadingLf && text.length > 0) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) from = 1;
    }
    let nextLf = text.indexOf('\n', from);
    let nextCr = text.indexOf('\r', from);
    if (nextLf === -1 && nextCr === -1) {
      // No line ends yet: park the piece without concatenating, so a long line arriving in
      // many chunks costs O(total) rather than O(n²) (the hot path of big deltas).
      if (from < text.length) this.pending.push(from === 0 ? text : text.slice(from));
      return;
    }
    // The parked pieces hold no line terminator by construction; scanning resumes in `text`.
    const prefix = this.pending.length === 0 ? '' : this.pending.join('');
    this.pending = [];
    const buf = prefix + (from === 0 ? text : text.slice(from));
    const shift = prefix.length - from;
    nextLf = nextLf === -1 ? -1 : nextLf + shift;
    nextCr = nextCr === -1 ? -1 : nextCr + shift;
    let start = 0;
    for (;;) {
      if (nextLf !== -1 && nextLf < start) nextLf = buf.indexOf('\n', start);
      if (nextCr !== -1 && nextCr < start) nextCr = buf.indexOf('\r', start);
      let end: number;
      if (nextCr === -1) end = nextLf;
      else if (nextLf === -1) end = nextCr;
      else end = nextCr < nextLf ? nextCr : nextLf;
      if (end === -1) break;
      this.line(buf, start, end, out);
      start = end + 1;
      if (end === nextCr) {
        if (start === buf.length) this.skipLeadingLf = true;
        else if (buf.charCodeAt(start) === LF) start += 1;
      }
    }
    if (start < buf.length) this.pending.push(buf.slice(start));
  }

  /** Interprets `buf[start, end)` as one line. */
  private line(buf: string, start: number, end: number, out: SseEvent[]): void {
    if (start === end) {
      this.dispatch(out);
      return;
    }
    const first = buf.charCodeAt(start);
    if (first === COLON) return; // comment (keep-alive)
    let colon = buf.indexOf(':', start);
    if (colon >= end) colon = -1;
    let field: string;
    let value: string;
    if (colon === -1) {
      field = buf.slice(start, end);
      value = '';
    } else {
      field = buf.slice(start, colon);
      let valueStart = colon + 1;
      if (buf.charCodeAt(valueStart) === SPACE && valueStart < end) valueStart += 1;
      value = buf.slice(valueStart, end);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventName = value;
        break;
      default:
        // `id` and `retry` matter only to reconnecting EventSource clients; unknown fields
        // are ignored by the spec.
        break;
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.hasData) {
      out.push(this.eventName === '' ? { data: this.data } : { event: this.eventName, data: this.data });
    }
    this.data = '';
    this.hasData = false;
    this.eventName = '';
  }
}

/** Parses a byte stream into SSE events (a convenience over {@link SseParser}). */
export async function* parseSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  for await (const chunk of chunks) yield* parser.push(chunk);
  yield* parser.end();
}
