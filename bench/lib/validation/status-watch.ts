import type { Client } from 'graphql-ws';
import { connectWs } from '../gql';
import { nowMs, runPool } from '../pool';

/** A key's first verdict as the subscriber saw it. */
export interface Verdict {
  status: string;
  /** Client wall clock (ms) when the event arrived. */
  at: number;
}

const STATUS_CHANGED = 'subscription { byokKeyStatusChanged { id status } }';

/**
 * One graphql-ws connection per user, each subscribed to `byokKeyStatusChanged`: what a dashboard
 * sees. Records when each key's first verdict (anything but PENDING) arrived. Events may arrive
 * before the add mutation's response does, so they are keyed by key id and joined later.
 */
export class KeyStatusWatch {
  readonly verdicts = new Map<string, Verdict>();
  readonly errors: string[] = [];
  private readonly clients: Client[] = [];
  private readonly cancels: Array<() => void> = [];

  private constructor() {}

  static async open(url: string, tokens: readonly string[], concurrency: number): Promise<KeyStatusWatch> {
    const watch = new KeyStatusWatch();
    try {
      await runPool(tokens.length, concurrency, async (i) => {
        const client = await connectWs(url, tokens[i]!);
        watch.clients.push(client);
        watch.cancels.push(
          client.subscribe<{ byokKeyStatusChanged: { id: string; status: string } }>(
            { query: STATUS_CHANGED },
            {
              next: (r) => {
                const at = nowMs();
                const key = r.data?.byokKeyStatusChanged;
                if (r.errors?.length) watch.errors.push(r.errors.map((e) => e.message).join('; '));
                if (key && key.status !== 'PENDING' && !watch.verdicts.has(key.id)) watch.verdicts.set(key.id, { status: key.status, at });
              },
              error: (err) => watch.errors.push(err instanceof Error ? err.message : JSON.stringify(err)),
              complete: () => undefined,
            },
          ),
        );
      });
    } catch (err) {
      await watch.close();
      throw err;
    }
    return watch;
  }

  async close(): Promise<void> {
    for (const cancel of this.cancels.splice(0)) cancel();
    await Promise.all(this.clients.splice(0).map((c) => c.dispose()));
  }
}
