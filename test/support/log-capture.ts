import { Writable } from 'node:stream';

/** Collects every log line the app writes, so tests can assert on them (and search for secrets). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line) this.lines.push(line);
    done();
  }

  text(): string {
    return this.lines.join('\n');
  }

  entries(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
