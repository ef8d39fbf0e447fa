import { randomUUID } from 'node:crypto';
import { UsageStatus } from '../../src/modules/usage/usage-enums';
import type { UsageRecordInput } from '../../src/modules/usage/usage-record';
import { startTestApp, type TestApp } from '../support/app';
import { orgWithRoles } from '../support/keys';
import { SUMMARY, insertAll, insertKey, totalsOf, usage, type Group } from '../support/usage';

/**
 * usageSummary against totals computed by hand on a small known data set: every dimension,
 * every bucket (UTC, weeks from Monday), the edges of buckets and ranges, and bad input.
 */
describe('usageSummary', () => {
  let t: TestApp;
  let token: string;
  let orgId: string;
  let owner: string;
  let member: string;
  let k1: string;
  let k2: string;
  let r: UsageRecordInput[];
  const FROM = '2025-03-01T00:00:00.000Z';
  const TO = '2025-04-02T00:00:00.000Z';

  beforeAll(async () => {
    t = await startTestApp('usagesummary', { ROLE: 'api' });
    const o = await orgWithRoles(t);
    token = o.owner.token;
    orgId = o.orgId;
    owner = o.owner.id;
    member = o.member.id;
    k1 = await insertKey(t.app.db, { organizationId: orgId }, 'OPENAI', owner);
    k2 = await insertKey(t.app.db, { organizationId: orgId }, 'ANTHROPIC', owner);
    const org = { organizationId: orgId };
    const claude = { provider: 'ANTHROPIC', model: 'anthropic/claude-x', upstreamModel: 'claude-x' };
    r = [
      // r0: the last millisecond of Sunday 2 March; r1: the first of Monday 3 March.
      usage('2025-03-02T23:59:59.999Z', { ...org, userId: owner, keyId: k1, model: 'openai/gpt-a', inputTokens: 100, outputTokens: 50, cachedInputTokens: 10, cacheWriteTokens: 20, reasoningTokens: 5, costMicroUsd: 1000 }),
      usage('2025-03-03T00:00:00.000Z', { ...org, userId: member, keyId: k1, model: 'openai/gpt-a', inputTokens: 10, outputTokens: 0, costMicroUsd: 20, status: UsageStatus.FAILED, errorCode: 'UPSTREAM_ERROR' }),
      usage('2025-03-03T10:30:00.000Z', { ...org, ...claude, userId: owner, keyId: k2, inputTokens: 200, outputTokens: 100, cachedInputTokens: 50, cacheWriteTokens: 120, costMicroUsd: null }),
      usage('2025-03-31T23:00:00.000Z', { ...org, ...claude, userId: member, inputTokens: 30, outputTokens: 3, costMicroUsd: 7, status: UsageStatus.ABORTED }),
      usage('2025-04-01T00:00:00.000Z', { ...org, userId: owner, keyId: k1, model: 'openai/gpt-b', inputTokens: 1, outputTokens: 1, costMicroUsd: 2 }),
    ];
    const noise = [
      usage('2025-03-03T01:00:00.000Z', { userId: owner, model: 'openai/gpt-a' }), // personal
      usage('2025-03-03T01:00:00.000Z', { userId: owner, organizationId: randomUUID() }), // another organization
      usage('2025-04-02T00:00:00.000Z', { ...org, userId: owner }), // at `to`: excluded
      usage('2025-02-28T23:59:59.999Z', { ...org, userId: owner }), // before `from`
    ];
    await insertAll(t.app.db, [...r, ...noise]);
  });
  afterAll(async () => {
    await t.stop();
  });

  async function summary(groupBy: string[], bucket?: string, filter: Record<string, unknown> = {}): Promise<Group[]> {
    const d = await t.gql.ok<{ usageSummary: Group[] }>(SUMMARY, { filter: { organizationId: orgId, from: FROM, to: TO, ...filter }, groupBy, bucket }, token);
    return d.usageSummary;
  }
  const pick = (...i: number[]) => totalsOf(i.map((n) => r[n]!));
  const byId = (a: string, b: string) => (a < b ? -1 : 1);

  it('totals without grouping, with every field summed, unknown costs counted apart', async () => {
    const [g, ...rest] = await summary([]);
    expect(rest).toEqual([]);
    expect(g).toMatchObject({ bucketStart: null, provider: null, model: null, keyId: null, status: null, key: null, user: null, organization: null });
    expect(g!.totals).toEqual({ requests: 5, inputTokens: 341, outputTokens: 154, cachedInputTokens: 60, cacheWriteTokens: 140, reasoningTokens: 5, costMicroUsd: 1029, failedRequests: 1, unknownCostRequests: 1 });
    expect(g!.totals).toEqual(pick(0, 1, 2, 3, 4));
  });

  it('groups by each dimension, sorted by its value with nulls last', async () => {
    const provider = await summary(['PROVIDER']);
    expect(provider.map((g) => [g.provider, g.totals])).toEqual([['ANTHROPIC', pick(2, 3)], ['OPENAI', pick(0, 1, 4)]]);
    const model = await summary(['MODEL']);
    expect(model.map((g) => [g.model, g.totals])).toEqual([['anthropic/claude-x', pick(2, 3)], ['openai/gpt-a', pick(0, 1)], ['openai/gpt-b', pick(4)]]);
    const key = await summary(['KEY']);
    const keys = [[k1, pick(0, 1, 4)], [k2, pick(2)]].sort((a, b) => byId(a[0] as string, b[0] as string));
    expect(key.map((g) => [g.keyId, g.totals])).toEqual([...keys, [null, pick(3)]]);
    expect(key.map((g) => g.key?.id ?? null)).toEqual(key.map((g) => g.keyId));
    const user = await summary(['USER']);
    const users = [[owner, pick(0, 2, 4)], [member, pick(1, 3)]].sort((a, b) => byId(a[0] as string, b[0] as string));
    expect(user.map((g) => [g.user?.id, g.totals])).toEqual(users);
    const org = await summary(['ORGANIZATION']);
    expect(org.map((g) => [g.organization?.id, g.totals])).toEqual([[orgId, pick(0, 1, 2, 3, 4)]]);
    const status = await summary(['STATUS']);
    expect(status.map((g) => [g.status, g.totals])).toEqual([['SUCCEEDED', pick(0, 2, 4)], ['FAILED', pick(1)], ['ABORTED', pick(3)]]);
  });

  it('combines dimensions in the order asked', async () => {
    const g = await summary(['STATUS', 'PROVIDER']);
    expect(g.map((x) => [x.status, x.provider, x.totals.requests])).toEqual([
      ['SUCCEEDED', 'ANTHROPIC', 1],
      ['SUCCEEDED', 'OPENAI', 2],
      ['FAILED', 'OPENAI', 1],
      ['ABORTED', 'ANTHROPIC', 1],
    ]);
  });

  it('buckets by hour, day, week (from Monday) and month in UTC, 23:59:59.999 and 00:00 on either side', async () => {
    const rows = async (bucket: string) => (await summary([], bucket)).map((g) => [g.bucketStart, g.totals]);
    expect(await rows('HOUR')).toEqual([
      ['2025-03-02T23:00:00.000Z', pick(0)],
      ['2025-03-03T00:00:00.000Z', pick(1)],
      ['2025-03-03T10:00:00.000Z', pick(2)],
      ['2025-03-31T23:00:00.000Z', pick(3)],
      ['2025-04-01T00:00:00.000Z', pick(4)],
    ]);
    expect(await rows('DAY')).toEqual([
      ['2025-03-02T00:00:00.000Z', pick(0)],
      ['2025-03-03T00:00:00.000Z', pick(1, 2)],
      ['2025-03-31T00:00:00.000Z', pick(3)],
      ['2025-04-01T00:00:00.000Z', pick(4)],
    ]);
    // Sunday 2 March belongs to the week of Monday 24 February; Tuesday 1 April to Monday 31 March.
    expect(await rows('WEEK')).toEqual([
      ['2025-02-24T00:00:00.000Z', pick(0)],
      ['2025-03-03T00:00:00.000Z', pick(1, 2)],
      ['2025-03-31T00:00:00.000Z', pick(3, 4)],
    ]);
    expect(await rows('MONTH')).toEqual([
      ['2025-03-01T00:00:00.000Z', pick(0, 1, 2, 3)],
      ['2025-04-01T00:00:00.000Z', pick(4)],
    ]);
  });

  it('bucket and dimensions together: bucket first, then the dimension', async () => {
    const g = await summary(['MODEL'], 'DAY');
    expect(g.map((x) => [x.bucketStart, x.model, x.totals.requests])).toEqual([
      ['2025-03-02T00:00:00.000Z', 'openai/gpt-a', 1],
      ['2025-03-03T00:00:00.000Z', 'anthropic/claude-x', 1],
      ['2025-03-03T00:00:00.000Z', 'openai/gpt-a', 1],
      ['2025-03-31T00:00:00.000Z', 'anthropic/claude-x', 1],
      ['2025-04-01T00:00:00.000Z', 'openai/gpt-b', 1],
    ]);
  });

  it('[from, to) is half-open at the millisecond, whatever the range alignment', async () => {
    const total = async (from: string, to: string) => (await summary([], undefined, { from, to }))[0]?.totals ?? null;
    expect(await total('2025-03-03T00:00:00.000Z', TO)).toEqual(pick(1, 2, 3, 4));
    expect(await total('2025-03-02T23:59:59.999Z', '2025-03-03T00:00:00.000Z')).toEqual(pick(0));
    expect(await total('2025-03-02T23:59:59.999Z', '2025-03-03T00:00:00.001Z')).toEqual(pick(0, 1));
    // Ragged ends around whole hours and days: raw rows, hour and day rollups in one answer.
    expect(await total('2025-03-02T22:15:00.000Z', '2025-04-01T01:45:00.000Z')).toEqual(pick(0, 1, 2, 3, 4));
    expect(await total('2025-03-02T23:30:00.000Z', '2025-04-01T00:00:00.001Z')).toEqual(pick(0, 1, 2, 3, 4));
    expect(await total('2025-03-03T00:00:00.001Z', '2025-03-31T23:00:00.000Z')).toEqual(pick(2));
    expect(await total('2025-03-03T10:30:00.001Z', '2025-03-31T22:59:59.999Z')).toBeNull();
  });

  it('an empty range, or one without usage, gives no groups', async () => {
    expect(await summary(['MODEL'], 'DAY', { from: FROM, to: FROM })).toEqual([]);
    expect(await summary([], undefined, { from: FROM, to: FROM })).toEqual([]);
    expect(await summary([], 'DAY', { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' })).toEqual([]);
  });

  it('filters by providers, models, keys and users, together', async () => {
    const total = async (filter: Record<string, unknown>) => (await summary([], undefined, filter))[0]?.totals ?? null;
    expect(await total({ providers: ['ANTHROPIC'] })).toEqual(pick(2, 3));
    expect(await total({ models: ['openai/gpt-a', 'openai/gpt-b'] })).toEqual(pick(0, 1, 4));
    expect(await total({ keyIds: [k1] })).toEqual(pick(0, 1, 4));
    expect(await total({ userIds: [member] })).toEqual(pick(1, 3));
    expect(await total({ userIds: [member], providers: ['OPENAI'] })).toEqual(pick(1));
    expect(await total({ keyIds: [k2], userIds: [member] })).toBeNull();
    // An empty list restricts nothing.
    expect(await total({ providers: [], models: [] })).toEqual(pick(0, 1, 2, 3, 4));
    const perUser = await summary(['USER'], 'DAY', { models: ['openai/gpt-a'] });
    expect(perUser.map((g) => [g.bucketStart, g.user?.id])).toEqual([
      ['2025-03-02T00:00:00.000Z', owner],
      ['2025-03-03T00:00:00.000Z', member],
    ]);
  });

  it('refuses bad input with BAD_USER_INPUT and a clear message', async () => {
    const err = async (vars: Record<string, unknown>) => {
      const res = await t.gql.request(SUMMARY, { groupBy: [], ...vars, filter: { organizationId: orgId, from: FROM, to: TO, ...(vars.filter as object) } }, token);
      return `${res.errors?.[0]?.extensions?.code}: ${res.errors?.[0]?.message}`;
    };
    expect(await err({ filter: { from: TO, to: FROM } })).toBe('BAD_USER_INPUT: from must not be after to');
    expect(await err({ filter: { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00.001Z' } })).toBe(
      'BAD_USER_INPUT: the range from..to must not exceed 366 days',
    );
    expect(await err({ groupBy: ['MODEL', 'KEY', 'MODEL'] })).toBe('BAD_USER_INPUT: groupBy lists a dimension more than once');
    expect(await err({ filter: { keyIds: ['key-1'] } })).toBe('BAD_USER_INPUT: filter.keyIds is not a valid id');
    expect(await err({ filter: { userIds: [member, 'nope'] } })).toBe('BAD_USER_INPUT: filter.userIds is not a valid id');
    expect(await err({ filter: { organizationId: 'org_1' } })).toBe('BAD_USER_INPUT: organizationId is not a valid id');
    expect(await err({ filter: { from: 'yesterday' } })).toMatch(/^BAD_USER_INPUT/);
    expect(await err({ groupBy: ['COLOR'] })).toMatch(/^BAD_USER_INPUT/);
    expect(await err({ filter: { models: Array.from({ length: 101 }, (_, i) => `m${i}`) } })).toBe('BAD_USER_INPUT: filter.models takes at most 100 values');
    // Exactly 366 days is allowed.
    const ok = await t.gql.request(SUMMARY, { groupBy: [], filter: { organizationId: orgId, from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } }, token);
    expect(ok.errors).toBeUndefined();
  });

  it('a deleted key still groups under its id, and resolves to null', async () => {
    const k3 = await insertKey(t.app.db, { organizationId: orgId }, 'MISTRAL', owner);
    await insertAll(t.app.db, [usage('2025-03-10T12:00:00.000Z', { organizationId: orgId, userId: owner, keyId: k3, provider: 'MISTRAL', model: 'mistral/x' })]);
    await t.app.db.query('DELETE FROM byok_keys WHERE id = $1', [k3]);
    const g = await summary(['KEY'], undefined, { keyIds: [k3] });
    expect(g.map((x) => [x.keyId, x.key, x.totals.requests])).toEqual([[k3, null, 1]]);
  });
});
