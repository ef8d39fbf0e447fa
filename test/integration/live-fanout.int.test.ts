import type { Client } from 'graphql-ws';
import { USAGE_TOPIC, type UsageRecordedEvent } from '../../src/modules/usage/usage-record';
import { KEY_STATUS_TOPIC, type KeyStatusEvent } from '../../src/modules/validation/key-status.service';
import { KeyStatus } from '../../src/modules/byok-keys/key-status';
import { startTestApp, type TestApp } from '../support/app';
import { collect, wsClient } from '../support/gql-client';
import { orgWithRoles } from '../support/keys';
import { insertAll, insertKey, usage } from '../support/usage';
import { sqlDuring } from '../support/sql-log';
import { waitFor } from '../support/wait';

const LIVE = 'subscription($org: ID) { usageRecorded(organizationId: $org) { requestId } }';
const STATUS = 'subscription($org: ID) { byokKeyStatusChanged(organizationId: $org) { id status } }';

type Sub = ReturnType<typeof collect<Record<string, { requestId?: string; id?: string }>>>;

const received = (subs: Sub[]) => subs.map((s) => s.results.length);

describe('live events fan out from the published payload: SQL per event, not per subscriber', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('fanout', { ROLE: 'api' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('60 usageRecorded and 20 byokKeyStatusChanged subscribers: each event costs at most two queries, and each goes only where its scope allows', async () => {
    const o = await orgWithRoles(t);
    const other = await t.createUser();
    const orgKey = await insertKey(t.app.db, { organizationId: o.orgId }, 'OPENAI', o.owner.id);
    const clients: Client[] = [o.owner, o.admin, o.member, other].map((u) => wsClient(t.url, u.token));
    const [owner, admin, member, stranger] = clients as [Client, Client, Client, Client];
    const many = (c: Client, q: string, v: Record<string, unknown>, n: number): Sub[] => Array.from({ length: n }, () => collect(c, q, v));
    try {
      const subs = {
        ownerOrg: many(owner, LIVE, { org: o.orgId }, 15),
        adminOrg: many(admin, LIVE, { org: o.orgId }, 15),
        memberOrg: many(member, LIVE, { org: o.orgId }, 15),
        strangerPersonal: many(stranger, LIVE, {}, 15),
        ownerStatus: many(owner, STATUS, { org: o.orgId }, 10),
        memberStatus: many(member, STATUS, { org: o.orgId }, 10),
      };
      await new Promise((r) => setTimeout(r, 700)); // every Redis subscription confirmed
      const now = new Date().toISOString();
      const rec = {
        byOwner: usage(now, { organizationId: o.orgId, userId: o.owner.id, keyId: orgKey }),
        byMember: usage(now, { organizationId: o.orgId, userId: o.member.id, keyId: orgKey }),
        strangers: usage(now, { userId: other.id }),
      };
      await insertAll(t.app.db, Object.values(rec));
      const events: UsageRecordedEvent[] = Object.values(rec).map((r) => ({ requestId: r.requestId, userId: r.userId, organizationId: r.organizationId }));

      const { sql: usageSql } = await sqlDuring(t.app, async () => {
        for (const e of events) await t.app.services!.pubsub.publish(USAGE_TOPIC, e);
        await waitFor(
          () =>
            received(subs.ownerOrg).every((n) => n === 2) &&
            received(subs.adminOrg).every((n) => n === 2) &&
            received(subs.memberOrg).every((n) => n === 1) &&
            received(subs.strangerPersonal).every((n) => n === 1),
          'every usage event delivered',
        );
        await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
      });
      expect(received(subs.memberOrg)).toEqual(Array(15).fill(1));
      expect(subs.memberOrg[0]!.results[0]!.data).toEqual({ usageRecorded: { requestId: rec.byMember.requestId } });
      expect(subs.strangerPersonal[0]!.results[0]!.data).toEqual({ usageRecorded: { requestId: rec.strangers.requestId } });
      // Per event: the organization's roles (batched over its subscribers) and the record.
      expect(usageSql.length).toBeLessThanOrEqual(2 * events.length);

      await t.app.db.query("UPDATE byok_keys SET status = 'VALID' WHERE id = $1", [orgKey]);
      const { sql: statusSql } = await sqlDuring(t.app, async () => {
        await t.app.services!.pubsub.publish(KEY_STATUS_TOPIC, { keyId: orgKey, userId: null, organizationId: o.orgId, status: KeyStatus.VALID } satisfies KeyStatusEvent);
        await waitFor(() => [...subs.ownerStatus, ...subs.memberStatus].every((s) => s.results.length === 1), 'every status event delivered');
      });
      expect(subs.memberStatus[0]!.results[0]!.data).toEqual({ byokKeyStatusChanged: { id: orgKey, status: 'VALID' } });
      expect(statusSql.length).toBeLessThanOrEqual(2);

      // Removed from the organization: the next events do not reach the member's open subscriptions.
      await t.gql.ok('mutation($o: ID!, $u: ID!) { removeOrganizationMember(organizationId: $o, userId: $u) }', { o: o.orgId, u: o.member.id }, o.owner.token);
      const late = usage(new Date().toISOString(), { organizationId: o.orgId, userId: o.member.id });
      await insertAll(t.app.db, [late]);
      await t.app.services!.pubsub.publish(USAGE_TOPIC, { requestId: late.requestId, userId: late.userId, organizationId: o.orgId });
      await t.app.services!.pubsub.publish(KEY_STATUS_TOPIC, { keyId: orgKey, userId: null, organizationId: o.orgId, status: KeyStatus.INVALID });
      await waitFor(() => received(subs.ownerOrg).every((n) => n === 3) && subs.ownerStatus.every((s) => s.results.length === 2), 'the owner to hear the late events');
      await new Promise((r) => setTimeout(r, 300));
      expect(received(subs.memberOrg)).toEqual(Array(15).fill(1));
      expect(subs.memberStatus.map((s) => s.results.length)).toEqual(Array(10).fill(1));
      for (const s of Object.values(subs).flat()) s.cancel();
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  }, 60_000);
});

describe('subscriptions per socket and per user are limited', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sublimit', { ROLE: 'api', MAX_SUBSCRIPTIONS_PER_SOCKET: '3', MAX_SUBSCRIPTIONS_PER_USER: '5' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('the 4th on one socket and the 6th of one user are refused with RATE_LIMITED naming the limit; others are unaffected; a slot frees on unsubscribe', async () => {
    const u = await t.createUser();
    const other = await t.createUser();
    const first = wsClient(t.url, u.token);
    const second = wsClient(t.url, u.token);
    const theirs = wsClient(t.url, other.token);
    const started = async (c: Client): Promise<Sub> => {
      const s = collect<Record<string, { requestId?: string }>>(c, LIVE, {});
      // A refusal arrives as an error message; an accepted subscription just stays open.
      await Promise.race([s.done, new Promise((r) => setTimeout(r, 300))]);
      return s;
    };
    const refusal = async (s: Sub) => {
      const { error } = await s.done;
      return (error as Array<{ message: string; extensions: Record<string, unknown> }>)[0];
    };
    try {
      const open = [await started(first), await started(first), await started(first)];
      expect(await refusal(await started(first))).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'subscriptionsPerSocket' } });
      open.push(await started(second), await started(second));
      const sixth = await refusal(await started(second));
      expect(sixth).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'subscriptionsPerUser' } });
      expect(sixth!.message).toMatch(/At most 5 subscriptions may be open per user/);
      // Another user is not affected by this one's subscriptions.
      const ok = await started(theirs);
      ok.cancel();
      expect((await ok.done).error).toBeUndefined();
      // Unsubscribing gives the slot back.
      open[0]!.cancel();
      await new Promise((r) => setTimeout(r, 100));
      const again = await started(second);
      again.cancel();
      expect((await again.done).error).toBeUndefined();
      for (const s of open) s.cancel();
    } finally {
      await Promise.all([first.dispose(), second.dispose(), theirs.dispose()]);
    }
  }, 30_000);
});
