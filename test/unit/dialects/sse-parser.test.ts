import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SseParser, parseSse } from '../../../src/providers/dialects/sse-parser';
import type { SseEvent } from '../../../src/providers/dialects/sse-parser';
import { splitBytes, splitRandomly } from './support/chunks';

const FIXTURES = join(__dirname, '../../fixtures/providers');
const encoder = new TextEncoder();

function parseChunks(chunks: readonly Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  for (const chunk of chunks) out.push(...parser.push(chunk));
  out.push(...parser.end());
  return out;
}

function parseText(text: string): SseEvent[] {
  return parseChunks([encoder.encode(text)]);
}

/** Test oracle: a line-at-a-time reading of the WHATWG algorithm over the whole text. */
function oracle(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop(); // the part after the last line break is an incomplete line: discarded at EOF
  let data: string[] = [];
  let name = '';
  for (const line of lines) {
    if (line === '') {
      if (data.length > 0) out.push(name === '' ? { data: data.join('\n') } : { event: name, data: data.join('\n') });
      data = [];
      name = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    if (field === 'event') name = value;
  }
  return out;
}

const sseFiles = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.sse'))
  .sort();

describe('SseParser over every recorded fixture', () => {
  it('finds the fixtures', () => {
    expect(sseFiles.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(sseFiles)('%s', (file) => {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    const bytes = encoder.encode(text);
    const whole = parseText(text);

    it('matches the spec oracle in one chunk, every data a JSON value or [DONE]', () => {
      expect(whole).toEqual(oracle(text));
      expect(whole.length).toBeGreaterThan(2);
      for (const event of whole) {
        if (event.data !== '[DONE]') expect(() => JSON.parse(event.data) as unknown).not.toThrow();
      }
    });

    it('yields identical events for 1-byte chunks and 40 random splits', () => {
      expect(parseChunks(splitBytes(bytes))).toEqual(whole);
      for (let seed = 1; seed <= 40; seed += 1) {
        expect(parseChunks(splitRandomly(bytes, seed, seed % 2 === 0 ? 7 : 97))).toEqual(whole);
      }
    });

    it('yields identical events with CRLF and CR line endings, randomly split', () => {
      for (const eol of ['\r\n', '\r']) {
        const converted = encoder.encode(text.replace(/\n/g, eol));
        expect(parseChunks([converted])).toEqual(whole);
        for (let seed = 100; seed < 110; seed += 1) expect(parseChunks(splitRandomly(converted, seed, 5))).toEqual(whole);
        expect(parseChunks(splitBytes(converted))).toEqual(whole);
      }
    });
  });
});

describe('SseParser edge cases (WHATWG event-stream parsing)', () => {
  it('joins multi-line data with \\n and honours event names', () => {
    expect(parseText('event: message_start\ndata: {"a":\ndata: 1}\n\n')).toEqual([
      { event: 'message_start', data: '{"a":\n1}' },
    ]);
  });

  it('ignores comments, id and retry fields, and unknown fields', () => {
    expect(parseText(': keep-alive\n\n:ping\nid: 7\nretry: 1000\nfoo: bar\ndata: x\n\n')).toEqual([{ data: 'x' }]);
  });

  it('strips exactly one space after the colon, accepts no space, and treats a bare field name as empty', () => {
    expect(parseText('data:  two\n\ndata:none\n\ndata\n\n')).toEqual([{ data: ' two' }, { data: 'none' }, { data: '' }]);
  });

  it('does not dispatch an event without data, and resets the event name after each block', () => {
    expect(parseText('event: ping\n\ndata: a\n\n')).toEqual([{ data: 'a' }]);
    expect(parseText('event: x\ndata: 1\n\ndata: 2\n\n')).toEqual([{ event: 'x', data: '1' }, { data: '2' }]);
  });

  it('discards an unterminated final event at EOF', () => {
    expect(parseText('data: complete\n\ndata: {"half":')).toEqual([{ data: 'complete' }]);
    expect(parseText('data: no blank line\n')).toEqual([]);
  });

  it('treats \\r\\n split across chunks as one line break, not an empty line', () => {
    const parser = new SseParser();
    expect(parser.push(encoder.encode('data: a\r'))).toEqual([]);
    expect(parser.push(encoder.encode('\ndata: b\r'))).toEqual([]);
    expect(parser.push(encoder.encode('\n\r'))).toEqual([{ data: 'a\nb' }]);
    expect(parser.push(encoder.encode('\n'))).toEqual([]);
    expect(parser.push(encoder.encode('data: c\r\r'))).toEqual([{ data: 'c' }]);
  });

  it('keeps multi-byte characters split across chunks intact and strips a leading BOM', () => {
    const bytes = encoder.encode('\uFEFFdata: 🇮🇹 — é 東京\n\n');
    expect(parseChunks(splitBytes(bytes))).toEqual([{ data: '🇮🇹 — é 東京' }]);
  });

  it('strips a leading BOM when the first chunk is plain ASCII after it, and only at the start', () => {
    expect(parseChunks([encoder.encode('\uFEFFdata: a\n\n'), encoder.encode('data: \uFEFFb\n\n')])).toEqual([{ data: 'a' }, { data: '\uFEFFb' }]);
  });

  it('replaces invalid bytes exactly as one WHATWG decoder over the whole stream, however it is split', () => {
    const parts = [encoder.encode('data: ok '), Uint8Array.of(0xff, 0xc3, 0x28, 0xe2, 0x82), encoder.encode(' é\n'), Uint8Array.of(0xf0, 0x9f)];
    const bytes = new Uint8Array(Buffer.concat([...parts, encoder.encode('x\n\ndata: 東京\n\n')]));
    const whole = oracle(new TextDecoder().decode(bytes));
    expect(whole).toHaveLength(2);
    expect(parseChunks([bytes])).toEqual(whole);
    expect(parseChunks(splitBytes(bytes))).toEqual(whole);
    for (let seed = 1; seed <= 40; seed += 1) expect(parseChunks(splitRandomly(bytes, seed, 1 + (seed % 9)))).toEqual(whole);
  });

  it('scans incrementally: a 2 MB event in 1 KB chunks parses (quadratic rescans would time out)', () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const bytes = encoder.encode(`data: ${big}\n\ndata: tail\n\n`);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 1024) chunks.push(bytes.subarray(i, i + 1024));
    const events = parseChunks(chunks);
    expect(events).toHaveLength(2);
    expect(events[0]?.data.length).toBe(big.length);
    expect(events[1]).toEqual({ data: 'tail' });
  });

  it('parseSse adapts any async iterable of bytes', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('event: a\nda');
      yield encoder.encode('ta: 1\n\n');
    }
    const events: SseEvent[] = [];
    for await (const event of parseSse(source())) events.push(event);
    expect(events).toEqual([{ event: 'a', data: '1' }]);
  });
});
