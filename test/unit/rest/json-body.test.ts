import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { type AppError } from '../../../src/errors/app-error';
import { JsonShapeGuard, readJsonBody } from '../../../src/rest/json-body';

/** A request-like stream that delivers `chunks` one by one. */
function request(chunks: Array<string | Buffer>, headers: Record<string, string> = {}): IncomingMessage {
  const s = new PassThrough();
  Object.assign(s, { headers });
  setImmediate(() => {
    for (const c of chunks) s.write(c);
    s.end();
  });
  return s as unknown as IncomingMessage;
}

function guardChunks(text: string, size: number, maxDepth = 128, maxValues = 1000): void {
  const g = new JsonShapeGuard(maxDepth, maxValues);
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) g.push(b.subarray(i, i + size));
}

describe('JSON body reading', () => {
  it('parses a body split anywhere, strings with escaped quotes and brackets included', async () => {
    const value = { a: 'x\\"[{', b: ['"', '\\', '{"nested": [1]}'], c: { d: [[1], [2]] } };
    const text = JSON.stringify(value);
    for (const size of [1, 2, 3, 7, 1000]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(Buffer.from(text.slice(i, i + size)));
      await expect(readJsonBody(request(chunks), 1000)).resolves.toEqual(value);
      // The guard's depth bookkeeping is exact: depth 4 ({c:{d:[[) passes at max 4, fails at max 3.
      expect(() => guardChunks(text, size, 4)).not.toThrow();
      expect(() => guardChunks(text, size, 3)).toThrow(/nests deeper than 3/);
    }
  });

  it('refuses nesting deeper than the cap while the body arrives', async () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    await expect(readJsonBody(request([deep]), 10_000)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/nests deeper/) });
    // Brackets inside strings do not count.
    await expect(readJsonBody(request([JSON.stringify({ s: '['.repeat(500) })]), 10_000)).resolves.toEqual({ s: '['.repeat(500) });
  });

  it('refuses too many values', () => {
    expect(() => guardChunks(`[${'0,'.repeat(1000)}0]`, 64)).toThrow(/more than 1000 values/);
    expect(() => guardChunks(`[${'0,'.repeat(998)}0]`, 64)).not.toThrow();
  });

  it('413 from Content-Length before reading, and from a chunked body as it passes the limit', async () => {
    const announced = await readJsonBody(request(['{}'], { 'content-length': '5000' }), 1000).catch((e: AppError) => e);
    expect(announced).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { httpStatus: 413 } });
    const chunked = await readJsonBody(request(['{"a":"', 'x'.repeat(600), 'x'.repeat(600), '"}']), 1000).catch((e: AppError) => e);
    expect(chunked).toMatchObject({ extensions: { httpStatus: 413 } });
  });

  it('invalid JSON and an empty body are 400s', async () => {
    await expect(readJsonBody(request(['{"a":']), 1000)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/not valid JSON/) });
    await expect(readJsonBody(request([]), 1000)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
