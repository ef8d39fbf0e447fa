import { Writable } from 'node:stream';

const MAX_DISTINCT = 50;

/** What the service logged during a bench: counts by level and by message, never printed live. */
export interface LogSummary {
  lines: number;
  byLevel: Record<string, number>;
  /** Message text → count (at most 50 distinct messages kept). */
  messages: Record<string, number>;
}

/**
 * A pino destination that keeps only counts: a bench must not print the service's logs over its
 * tables, nor hold every line in memory during a long run.
 */
export class LogSink extends Writable {
  private lines = 0;
  private readonly byLevel: Record<string, number> = {};
  private readonly messages = new Map<string, number>();

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      this.lines++;
      let level = 'unparsed';
      let msg = line.slice(0, 200);
      try {
        const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
        level = typeof entry.level === 'string' ? entry.level : String(entry.level);
        msg = typeof entry.msg === 'string' ? entry.msg : msg;
      } catch {
        // keep the raw line's start
      }
      this.byLevel[level] = (this.byLevel[level] ?? 0) + 1;
      const key = `${level}: ${msg}`;
      if (this.messages.has(key) || this.messages.size < MAX_DISTINCT) this.messages.set(key, (this.messages.get(key) ?? 0) + 1);
    }
    done();
  }

  summary(): LogSummary {
    return { lines: this.lines, byLevel: { ...this.byLevel }, messages: Object.fromEntries(this.messages) };
  }
}
