import { randomUUID } from 'node:crypto';
import type { UsageRecordInput } from '../../src/modules/usage/usage-record';
import { startTestApp, type TestApp } from '../support/app';
import { orgWithRoles } from '../support/keys';
import { RECORDS, SUMMARY, insertAll, insertKey, totalsOf, usage, type Group, type Totals } from '../support/usage';

type Outcome = Totals | string | null;

/** Who sees which usage: the scope is part of every read, whatever the filter asks for. */
describe('usage: who may read what', () => {
  let t: TestApp;
  let o: Awaited<ReturnType<typeof orgWithRoles>>;
  let other: { id: string; token: string };
  let orgKey: string;
  let personalKey: string;
  let orgRows: UsageRecordInput[];
  let ownerPersonal: UsageRecordInput[];
  let otherPersonal: UsageRecordInput[];
  const FROM = '2025-01-01T00:00:00.000Z';
  const TO = '2025-02-01T00:00:00.000Z';

  beforeAll(async () => {
    t = await startTestApp('usageaccess', { ROLE: 'api' });
    o = await orgWithRoles(t);
    other = await t.createUser();
    orgKey = await insertKey(t.app.db, { organizationId: o.orgId }, 'OPENAI', o.owner.id);
    personalKey = await insertKey(t.app.db, { userId: o.owner.id }, 'OPENAI', o.owner.id);
    const org = { organizationId: o.orgId, keyId: orgKey };
    orgRows = [
      usage('2025-01-02T10:00:00.000Z', { ...org, userId: o.owner.id, inputTokens: 1 }),
      usage('2025-01-03T10:00:00.000Z', { ...org, userId: o.admin.id, inputTokens: 20 }),
      usage('2025-01-04T10:00:00.000Z', { ...org, userId: o.member.id, inputTokens: 300 }),
      usage('2025-01-05T10:00:00.000Z', { ...org, userId: o.member.id, inputTokens: 4000 }),
    ];
    ownerPersonal = [usage('2025-01-06T10:00:00.000Z', { userId: o.owner.id, keyId: personalKey, inputTokens: 50000 })];
    otherPersonal = [usage('2025-01-07T10:00:00.000Z', { userId: other.id, inputTokens: 600000 })];
    await insertAll(t.app.db, [...orgRows, ...ownerPersonal, ...otherPersonal]);
  });
  afterAll(async () => {
    await t.stop();
  });

  async function summaryTotals(token: string, filter: Record<string, unknown>): Promise<Outcome> {
    const r = await t.gql.request<{ usageSummary: Group[] }>(SUMMARY, { filter: { from: FROM, to: TO, ...filter }, groupBy: [] }, token);
    if (r.errors?.length) return r.errors[0]!.extensions!.code!;
    return r.data!.usageSummary[0]?.totals ?? null;
  }
  async function recordIds(token: string, filter: Record<string, unknown>): Promise<string[] | string> {
    const r = await t.gql.request<{ usageRecords: { edges: Array<{ node: { requestId: string } }> } }>(RECORDS, { filter: { from: FROM, to: TO, ...filter } }, token);
    if (r.errors?.length) return r.errors[0]!.extensions!.code!;
    return r.data!.usageRecords.edges.map((e) => e.node.requestId).sort();
  }
  const ids = (rows: UsageRecordInput[]) => rows.map((r) => r.requestId).sort();

  it('organization usage: managers see all of it, a member their own requests, a non-member NOT_FOUND', async () => {
    const memberRows = orgRows.filter((r) => r.userId === o.member.id);
    const roles = { owner: o.owner, admin: o.admin, billing: o.billing, member: o.member, outsider: o.outsider, other };
    const seen: Record<string, unknown> = {};
    for (const [name, u] of Object.entries(roles)) {
      seen[name] = { summary: await summaryTotals(u.token, { organizationId: o.orgId }), records: await recordIds(u.token, { organizationId: o.orgId }) };
    }
    const all = { summary: totalsOf(orgRows), records: ids(orgRows) };
    expect(seen).toEqual({
      owner: all,
      admin: all,
      billing: all,
      member: { summary: totalsOf(memberRows), records: ids(memberRows) },
      outsider: { summary: 'NOT_FOUND', records: 'NOT_FOUND' },
      other: { summary: 'NOT_FOUND', records: 'NOT_FOUND' },
    });
  });

  it("a member cannot widen the scope with userIds or keyIds; an unknown organization is NOT_FOUND", async () => {
    expect(await summaryTotals(o.member.token, { organizationId: o.orgId, userIds: [o.owner.id] })).toBeNull();
    expect(await summaryTotals(o.member.token, { organizationId: o.orgId, keyIds: [orgKey] })).toEqual(totalsOf(orgRows.filter((r) => r.userId === o.member.id)));
    expect(await summaryTotals(o.owner.token, { organizationId: o.orgId, userIds: [o.member.id] })).toEqual(totalsOf(orgRows.filter((r) => r.userId === o.member.id)));
    expect(await summaryTotals(o.owner.token, { organizationId: randomUUID() })).toBe('NOT_FOUND');
    expect(await recordIds(o.owner.token, { organizationId: randomUUID() })).toBe('NOT_FOUND');
  });

  it("personal usage is the caller's own personal requests only, never organization or other users' usage", async () => {
    expect(await summaryTotals(o.owner.token, {})).toEqual(totalsOf(ownerPersonal));
    expect(await recordIds(o.owner.token, {})).toEqual(ids(ownerPersonal));
    expect(await summaryTotals(other.token, {})).toEqual(totalsOf(otherPersonal));
    expect(await recordIds(other.token, {})).toEqual(ids(otherPersonal));
    // Asking for someone else's rows in personal scope finds nothing.
    expect(await summaryTotals(o.owner.token, { userIds: [other.id] })).toBeNull();
    expect(await recordIds(o.owner.token, { userIds: [other.id] })).toEqual([]);
    expect(await summaryTotals(o.member.token, {})).toBeNull();
  });

  it('ByokKey.usage: as visible as the key; a member counts only their own requests with an organization key', async () => {
    const q = `query($org: ID) { byokKeys(organizationId: $org) { id usage(from: "${FROM}", to: "${TO}") { requests inputTokens } } }`;
    const usageOf = async (token: string, org: string | null, id: string) => {
      const r = await t.gql.request<{ byokKeys: Array<{ id: string; usage: { requests: number; inputTokens: number } }> }>(q, { org }, token);
      if (r.errors?.length) return r.errors[0]!.extensions!.code;
      return r.data!.byokKeys.find((k) => k.id === id)?.usage ?? 'not listed';
    };
    const sum = (rows: UsageRecordInput[]) => ({ requests: rows.length, inputTokens: rows.reduce((s, r) => s + r.inputTokens, 0) });
    expect(await usageOf(o.owner.token, o.orgId, orgKey)).toEqual(sum(orgRows));
    expect(await usageOf(o.billing.token, o.orgId, orgKey)).toEqual(sum(orgRows));
    expect(await usageOf(o.member.token, o.orgId, orgKey)).toEqual(sum(orgRows.filter((r) => r.userId === o.member.id)));
    expect(await usageOf(o.outsider.token, o.orgId, orgKey)).toBe('NOT_FOUND');
    expect(await usageOf(o.owner.token, null, personalKey)).toEqual(sum(ownerPersonal));
    // The same key reached through byokKey(id) gives the same answer; another user does not see it.
    const one = `query($id: ID!) { byokKey(id: $id) { usage(from: "${FROM}", to: "${TO}") { requests } } }`;
    expect((await t.gql.ok<{ byokKey: { usage: { requests: number } } }>(one, { id: orgKey }, o.admin.token)).byokKey.usage.requests).toBe(4);
    expect((await t.gql.ok<{ byokKey: null }>(one, { id: personalKey }, other.token)).byokKey).toBeNull();
    // A bad range on the field is the caller's mistake.
    const bad = await t.gql.request(`query($id: ID!) { byokKey(id: $id) { usage(from: "${TO}", to: "${FROM}") { requests } } }`, { id: orgKey }, o.owner.token);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('without a token every usage operation is UNAUTHENTICATED', async () => {
    expect(await summaryTotals('', {})).toBe('UNAUTHENTICATED');
    expect(await recordIds('', {})).toBe('UNAUTHENTICATED');
  });

  it('a member removed from the organization loses access at once', async () => {
    const m = await t.createUser();
    await t.gql.ok('mutation($o: ID!, $e: String!) { addOrganizationMember(organizationId: $o, email: $e, role: BILLING_MANAGER) { role } }', { o: o.orgId, e: m.email }, o.owner.token);
    expect(await summaryTotals(m.token, { organizationId: o.orgId })).toEqual(totalsOf(orgRows));
    await t.gql.ok('mutation($o: ID!, $u: ID!) { removeOrganizationMember(organizationId: $o, userId: $u) }', { o: o.orgId, u: m.id }, o.owner.token);
    expect(await summaryTotals(m.token, { organizationId: o.orgId })).toBe('NOT_FOUND');
  });
});
