import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderId } from '../../../src/providers/types';
import { mockKeyInput } from '../../../test/support/keys';
import { startMockUpstream } from '../../../test/support/mock-upstream';
import { nowMs, runPool } from '../pool';
import { startBenchService } from '../service';
import { summarize, type Summary } from '../stats';

export interface FairnessOptions {
  /** Organizations the heavy user creates, one OPENAI key each: the backlog. */
  heavyKeys: number;
  /** Other users, one OPENAI key each, added one by one while the backlog drains. */
  lightUsers: number;
  /** VALIDATION_RATE_PER_PROVIDER. */
  rate: number;
  /** Pause between two light users' adds. */
  lightEveryMs: number;
  clients: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface FairnessResult {
  rate: number;
  heavy: { keys: number; drainS: number; validationsPerSecond: number; latencyMs?: Summary };
  light: {
    keys: number;
    latencyMs?: Summary;
    /** Heavy keys still waiting when each light key was added: what it would wait behind in FIFO order. */
    backlogAhead?: Summary;
    /** backlogAhead / rate: the wait one shared first-come-first-served budget would have given it. */
    fifoWaitMs?: Summary;
  };
  unsettled: number;
}

const ADD_KEY = 'mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id } }';
const CREATE_ORG = 'mutation($n: String!) { createOrganization(name: $n) { id } }';

/**
 * Issue 11, finding 16: one user's many organizations add keys for one provider at once (the
 * backlog), then other users add one key each while it drains. Measures how long the others
 * wait for their verdict, against what the same backlog would cost them first-come-first-served.
 */
export async function runFairness(opts: FairnessOptions): Promise<FairnessResult> {
  const mock = await startMockUpstream();
  const svc = await startBenchService('validation_fairness', { ...mock.env(), VALIDATION_RATE_PER_PROVIDER: String(opts.rate) });
  try {
    const heavy = await svc.createUser('bench-fairness-heavy@example.com');
    const orgs: string[] = [];
    await runPool(opts.heavyKeys, opts.clients, async (i) => {
      orgs[i] = (await svc.gql.ok<{ createOrganization: { id: string } }>(CREATE_ORG, { n: `heavy ${i}` }, heavy.token)).createOrganization.id;
    });
    const lights = await Promise.all(Array.from({ length: opts.lightUsers }, (_, i) => svc.createUser(`bench-fairness-light-${i}@example.com`)));

    const added = new Map<string, { kind: 'heavy' | 'light'; at: number }>();
    const add = async (token: string, kind: 'heavy' | 'light', organizationId?: string) => {
      const { input } = mockKeyInput(ProviderId.OPENAI, 'good', organizationId ? { organizationId } : {});
      const id = (await svc.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, token)).addByokKey.id;
      added.set(id, { kind, at: Date.now() });
    };
    const started = nowMs();
    await runPool(opts.heavyKeys, opts.clients, (i) => add(heavy.token, 'heavy', orgs[i]));
    opts.log(`  [fairness] ${opts.heavyKeys} heavy keys added in ${((nowMs() - started) / 1000).toFixed(1)} s`);
    const backlog: number[] = [];
    for (const u of lights) {
      const [row] = (await svc.app.db.query("SELECT count(*)::int n FROM byok_keys WHERE status = 'PENDING'")) as Array<{ n: number }>;
      backlog.push(row?.n ?? 0);
      await add(u.token, 'light');
      await sleep(opts.lightEveryMs);
    }

    const deadline = Date.now() + opts.timeoutMs;
    let rows: Array<{ id: string; status: string; last_validated_at: Date | null }> = [];
    for (;;) {
      rows = (await svc.app.db.query('SELECT id, status, last_validated_at FROM byok_keys')) as typeof rows;
      const pending = rows.filter((r) => r.status === 'PENDING').length;
      if (pending === 0 || Date.now() > deadline) break;
      await sleep(500);
    }
    const latency = (kind: 'heavy' | 'light') =>
      rows.flatMap((r) => {
        const a = added.get(r.id);
        return a?.kind === kind && r.last_validated_at && r.status !== 'PENDING' ? [r.last_validated_at.getTime() - a.at] : [];
      });
    const heavyDone = rows.filter((r) => added.get(r.id)?.kind === 'heavy' && r.last_validated_at).map((r) => r.last_validated_at!.getTime());
    const firstHeavyAdd = Math.min(...[...added.values()].filter((a) => a.kind === 'heavy').map((a) => a.at));
    const drainMs = Math.max(...heavyDone) - firstHeavyAdd;
    return {
      rate: opts.rate,
      heavy: {
        keys: opts.heavyKeys,
        drainS: drainMs / 1000,
        validationsPerSecond: heavyDone.length / (drainMs / 1000),
        latencyMs: summarize(latency('heavy')),
      },
      light: {
        keys: opts.lightUsers,
        latencyMs: summarize(latency('light')),
        backlogAhead: summarize(backlog),
        fifoWaitMs: summarize(backlog.map((n) => (n / opts.rate) * 1000)),
      },
      unsettled: rows.filter((r) => r.status === 'PENDING').length,
    };
  } finally {
    await svc.stop();
    await mock.close();
  }
}
