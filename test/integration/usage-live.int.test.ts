import { randomUUID } from 'node:crypto';
import { PROVIDER_IDS } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { collect, wsClient } from '../support/gql-client';
import { orgWithRoles } from '../support/keys';
import { insertAll, insertKey, usage } from '../support/usage';
import { waitFor } from '../support/wait';

const LIVE = `subscription($org: ID) { usageRecorded(organizationId: $org) { requestId user { id } organization { id } key { id } costKnown status } }`;

interface Live {
  usageRecorded: { requestId: string; user: { id: string }; organization: { id: string } | null; key: { id: string } | null };
}

describe('usageRecorded over graphql-ws, and ByokKey.usage batching', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('usagelive', { ROLE: 'api' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('streams each written record to exactly the subscribers whose scope holds it, re-read at delivery', async () => {
    const o = await orgWithRoles(t);
    const other = await t.createUser();
    const key = await insertKey(t.app.db, { organizationId: o.orgId }, 'OPENAI', o.owner.id);
    const clients = { owner: wsClient(t.url, o.owner.token), member: wsClient(t.url, o.member.token), outsider: wsClient(t.url, o.outsider.token), other: wsClient(t.url, other.token) };
    try {
      const subs = {
        ownerOrg: collect<Live>(clients.owner, LIVE, { org: o.orgId }),
        ownerPersonal: collect<Live>(clients.owner, LIVE, {}),
        memberOrg: collect<Live>(clients.member, LIVE, { org: o.orgId }),
        outsiderOrg: collect<Live>(clients.outsider, LIVE, { org: o.orgId }),
        otherPersonal: collect<Live>(clients.other, LIVE, {}),
      };
      const refused = await subs.outsiderOrg.done;
      const refusal = refused.results[0]?.errors ?? (refused.error as Array<{ extensions?: { code?: string } }> | undefined);
      expect(refusal?.[0]?.extensions?.code).toBe('NOT_FOUND');
      await new Promise((r) => setTimeout(r, 500)); // the Redis subscriptions are confirmed

      const now = new Date().toISOString();
      const rec = {
        ownerOrg: usage(now, { organizationId: o.orgId, userId: o.owner.id, keyId: key }),
        memberOrg: usage(now, { organizationId: o.orgId, userId: o.member.id, costMicroUsd: null }),
        ownerPersonal: usage(now, { userId: o.owner.id }),
        otherPersonal: usage(now, { userId: other.id }),
        elsewhere: usage(now, { organizationId: randomUUID(), userId: o.owner.id }),
      };
      for (const r of Object.values(rec)) expect(await t.app.services!.usageRecorder.record(r)).toBe('written');

      const got = (s: { results: Array<{ data?: Live | null }> }) => s.results.map((r) => r.data!.usageRecorded.requestId).sort();
      await waitFor(() => got(subs.ownerOrg).length === 2 && got(subs.ownerPersonal).length === 1 && got(subs.otherPersonal).length === 1 && got(subs.memberOrg).length === 1, 'the events');
      await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
      expect({
        ownerOrg: got(subs.ownerOrg),
        ownerPersonal: got(subs.ownerPersonal),
        memberOrg: got(subs.memberOrg),
        otherPersonal: got(subs.otherPersonal),
      }).toEqual({
        ownerOrg: [rec.ownerOrg.requestId, rec.memberOrg.requestId].sort(),
        ownerPersonal: [rec.ownerPersonal.requestId],
        memberOrg: [rec.memberOrg.requestId],
        otherPersonal: [rec.otherPersonal.requestId],
      });
      const mine = subs.ownerOrg.results.find((r) => r.data!.usageRecorded.requestId === rec.ownerOrg.requestId)!.data!.usageRecorded;
      expect(mine).toMatchObject({ user: { id: o.owner.id }, organization: { id: o.orgId }, key: { id: key } });

      // Removed from the organization: the open subscription receives nothing more.
      await t.gql.ok('mutation($o: ID!, $u: ID!) { removeOrganizationMember(organizationId: $o, userId: $u) }', { o: o.orgId, u: o.member.id }, o.owner.token);
      const late = usage(new Date().toISOString(), { organizationId: o.orgId, userId: o.member.id });
      await t.app.services!.usageRecorder.record(late);
      await waitFor(() => got(subs.ownerOrg).includes(late.requestId), 'the owner to hear the late record');
      await new Promise((r) => setTimeout(r, 300));
      expect(got(subs.memberOrg)).toEqual([rec.memberOrg.requestId]);
      for (const s of Object.values(subs)) s.cancel();
    } finally {
      await Promise.all(Object.values(clients).map((c) => c.dispose()));
    }
  }, 30_000);

  it('listing 100 keys with their usage costs as many SQL queries as listing 10', async () => {
    /** 5 organizations with `perOrg` keys each, plus `personal` personal keys, one record per key. */
    async function setup(perOrg: number, personal: number) {
      const u = await t.createUser();
      const orgs: string[] = [];
      for (let i = 0; i < 5; i++) {
        orgs.push((await t.gql.ok<{ createOrganization: { id: string } }>('mutation { createOrganization(name: "K") { id } }', {}, u.token)).createOrganization.id);
      }
      const keys: string[] = [];
      for (const org of orgs) for (const p of PROVIDER_IDS.slice(0, perOrg)) keys.push(await insertKey(t.app.db, { organizationId: org }, p, u.id));
      for (const p of PROVIDER_IDS.slice(0, personal)) keys.push(await insertKey(t.app.db, { userId: u.id }, p, u.id));
      const at = new Date(Date.now() - 86_400_000).toISOString();
      const owners = await t.app.db.query('SELECT id, organization_id FROM byok_keys WHERE id = ANY($1::uuid[])', [keys]) as Array<{ id: string; organization_id: string | null }>;
      await insertAll(t.app.db, owners.map((k) => usage(at, { userId: u.id, organizationId: k.organization_id, keyId: k.id })));
      const query = `query { ${orgs.map((org, i) => `o${i}: byokKeys(organizationId: "${org}") { id usage { requests } }`).join(' ')} p: byokKeys { id usage { requests } } }`;
      return { token: u.token, keys, query };
    }
    async function countQueries(token: string, query: string): Promise<{ queries: number; usageQueries: number; usage: number[] }> {
      await t.gql.ok(query, {}, token); // warm-up: token lastUsedAt refresh and lazy metadata
      await new Promise((r) => setTimeout(r, 200));
      const logger = t.app.db.logger;
      const original = logger.logQuery.bind(logger);
      let queries = 0;
      let usageQueries = 0;
      logger.logQuery = (...args: Parameters<typeof original>) => {
        queries++;
        if (/\busage_(records|rollups)/.test(args[0])) usageQueries++;
        return original(...args);
      };
      try {
        const d = await t.gql.ok<Record<string, Array<{ usage: { requests: number } }>>>(query, {}, token);
        return { queries, usageQueries, usage: Object.values(d).flat().map((k) => k.usage.requests) };
      } finally {
        logger.logQuery = original;
      }
    }
    const small = await setup(1, 5);
    const big = await setup(18, 10);
    expect(small.keys).toHaveLength(10);
    expect(big.keys).toHaveLength(100);
    const s = await countQueries(small.token, small.query);
    const b = await countQueries(big.token, big.query);
    expect(s.usage).toEqual(Array(10).fill(1));
    expect(b.usage).toEqual(Array(100).fill(1));
    expect(b.queries).toBe(s.queries);
    // DataLoader batches the keys that resolve together: at most one usage query per list, whatever its length.
    expect(b.usageQueries).toBe(s.usageQueries);
    expect(b.usageQueries).toBeGreaterThanOrEqual(1);
    expect(b.usageQueries).toBeLessThanOrEqual(6);
    // One list: one usage query for all its keys.
    const one = await countQueries(big.token, 'query { byokKeys { id usage { requests } } }');
    expect(one).toMatchObject({ usageQueries: 1, usage: Array(10).fill(1) });
  }, 60_000);
});
