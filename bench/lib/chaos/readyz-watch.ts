/**
 * Polls the gateway's /readyz every 100 ms (1 s timeout each) and keeps what it answered, so a
 * scenario can say what readiness reported during the fault and how long after the heal it
 * answered 200 again.
 */
import { setTimeout as sleep } from 'node:timers/promises';

interface Sample {
  at: number;
  /** HTTP status, or `unreachable`. */
  status: string;
}

export class ReadyzWatch {
  private readonly samples: Sample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly url: string) {
    this.loop = this.poll();
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      const status = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        async (r) => {
          await r.arrayBuffer();
          return String(r.status);
        },
        () => 'unreachable',
      );
      this.samples.push({ at, status });
      await sleep(100);
    }
  }

  /** Answers seen in [from, to), by status. */
  statusesBetween(from: number, to: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.samples) if (s.at >= from && s.at < to) out[s.status] = (out[s.status] ?? 0) + 1;
    return out;
  }

  /** ms from `from` to the first 200 asked at or after it; waits up to `timeoutMs` for one. */
  async msToReadyAfter(from: number, timeoutMs = 120_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = this.samples.find((s) => s.at >= from && s.status === '200');
      if (ok) return ok.at - from;
      if (Date.now() > deadline || !this.running) return null;
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
