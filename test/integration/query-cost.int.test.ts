import { randomUUID } from 'node:crypto';
import { PROVIDER_IDS } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { sqlDuring } from '../support/sql-log';
import { insertKey } from '../support/usage';

/** Two levels of validation-job pages through ValidationJob.key: 100 × 100 rows if allowed. */
const NESTED = `query($n: Int) { byokKeys { id validationJobs(first: $n) { edges { node { id key { id validationJobs(first: $n) { edges { node { id } } } } } } } } }`;
const KEYS_WITH_JOBS = '{ byokKeys { id validationJobs(first: 5) { edges { node { id outcome key { id hint } } } pageInfo { hasNextPage } } } }';

interface KeysWithJobs {
  byokKeys: Array<{ id: string; validationJobs: { edges: Array<{ node: { id: string; key: { id: string } } }>; pageInfo: { hasNextPage: boolean } } }>;
}

describe('query cost: pages weigh by their size, and job lists are batched', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('querycost', { ROLE: 'api' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('nested pages multiply: two levels of 100 are refused as too complex; the same document with small pages runs', async () => {
    const u = await t.createUser();
    const big = await t.gql.request(NESTED, { n: 100 }, u.token);
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(big.errors?.[0]?.message).toMatch(/Query complexity \d+ exceeds the limit/);
    expect(big.data ?? null).toBeNull();
    // The page size comes from a variable: the figure is not cached from one request to the next.
    expect((await t.gql.request(NESTED, { n: 2 }, u.token)).errors).toBeUndefined();
    expect((await t.gql.request(NESTED, { n: 100 }, u.token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // Omitted, `first` counts with its default (20): 20 × 20 still fits.
    expect((await t.gql.request(NESTED.replace(/\(first: \$n\)/g, '').replace('($n: Int)', ''), {}, u.token)).errors).toBeUndefined();
  });

  it('ByokKey.validationJobs and ValidationJob.key cost the same number of queries for 3 keys as for 15', async () => {
    async function queriesFor(token: string): Promise<{ n: number; data: KeysWithJobs }> {
      await t.gql.ok(KEYS_WITH_JOBS, {}, token); // warm-up: token cache, lastUsedAt
      const { sql, result } = await sqlDuring(t.app, () => t.gql.ok<KeysWithJobs>(KEYS_WITH_JOBS, {}, token));
      return { n: sql.length, data: result };
    }
    const small = await t.createUser();
    const large = await t.createUser();
    const seed = async (userId: string, keys: number) => {
      const ids: string[] = [];
      for (const p of PROVIDER_IDS.slice(0, keys)) {
        const keyId = await insertKey(t.app.db, { userId }, p, userId);
        ids.push(keyId);
        for (let i = 0; i < 7; i++) {
          await t.app.db.query(
            `INSERT INTO validation_jobs (id, key_id, user_id, provider, secret_version, trigger, queued_at)
             VALUES ($1, $2, $3, $4, 1, 'created', now() - make_interval(secs => $5))`,
            [randomUUID(), keyId, userId, p, i],
          );
        }
      }
      return ids;
    };
    await seed(small.id, 3);
    const largeKeys = await seed(large.id, 15);
    const s = await queriesFor(small.token);
    const l = await queriesFor(large.token);
    expect(l.data.byokKeys).toHaveLength(15);
    for (const k of l.data.byokKeys) {
      expect(k.validationJobs.edges).toHaveLength(5);
      expect(k.validationJobs.pageInfo.hasNextPage).toBe(true);
      expect(k.validationJobs.edges.every((e) => e.node.key.id === k.id)).toBe(true);
    }
    expect(l.data.byokKeys.map((k) => k.id).sort()).toEqual([...largeKeys].sort());
    expect(s.n).toBeLessThanOrEqual(3); // the keys, one page query, one key query
    expect(l.n).toBe(s.n);
    // Another user's key ids never appear through ValidationJob.key.
    const mine = await t.gql.ok<KeysWithJobs>(KEYS_WITH_JOBS, {}, small.token);
    expect(mine.byokKeys.flatMap((k) => k.validationJobs.edges.map((e) => e.node.key.id)).some((id) => largeKeys.includes(id))).toBe(false);
  });
});
