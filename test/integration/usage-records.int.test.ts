import type { UsageRecordInput } from '../../src/modules/usage/usage-record';
import { startTestApp, type TestApp } from '../support/app';
import { orgWithRoles } from '../support/keys';
import { RECORDS, insertAll, insertKey, usage } from '../support/usage';

interface RecordNode {
  id: string;
  requestId: string;
  user: { id: string; email: string };
  organization: { id: string } | null;
  key: { id: string } | null;
  keyId: string | null;
  keySource: string;
  costMicroUsd: number;
  costKnown: boolean;
  createdAt: string;
  [field: string]: unknown;
}
interface Page {
  edges: Array<{ cursor: string; node: RecordNode }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** usageRecords: keyset pages newest first, stable while rows arrive, and the record's fields. */
describe('usageRecords', () => {
  let t: TestApp;
  let o: Awaited<ReturnType<typeof orgWithRoles>>;
  let rows: UsageRecordInput[];
  const FROM = '2025-03-01T00:00:00.000Z';
  const TO = '2025-04-01T00:00:00.000Z';

  beforeAll(async () => {
    t = await startTestApp('usagerecords', { ROLE: 'api' });
    o = await orgWithRoles(t);
    // 25 rows, several sharing the same millisecond (the id breaks the tie).
    rows = Array.from({ length: 25 }, (_, i) =>
      usage(new Date(Date.parse('2025-03-10T00:00:00.000Z') + Math.floor(i / 3) * 60_000).toISOString(), { organizationId: o.orgId, userId: o.owner.id, inputTokens: i }),
    );
    await insertAll(t.app.db, rows);
  });
  afterAll(async () => {
    await t.stop();
  });

  async function page(filter: Record<string, unknown>, first?: number, after?: string | null, token = o.owner.token): Promise<Page> {
    return (await t.gql.ok<{ usageRecords: Page }>(RECORDS, { filter: { organizationId: o.orgId, from: FROM, to: TO, ...filter }, first, after }, token)).usageRecords;
  }

  it('pages newest first on (createdAt, id) with no row twice and none missed, though rows arrive between pages', async () => {
    const seen: RecordNode[] = [];
    let p = await page({}, 10);
    seen.push(...p.edges.map((e) => e.node));
    // Newer rows, and rows at the very instant of the page's last row, arrive meanwhile.
    const last = p.edges.at(-1)!.node;
    const arriving = [
      usage('2025-03-20T00:00:00.000Z', { organizationId: o.orgId, userId: o.owner.id }),
      usage(last.createdAt, { organizationId: o.orgId, userId: o.owner.id }),
    ];
    await insertAll(t.app.db, arriving);
    while (p.pageInfo.hasNextPage) {
      p = await page({}, 10, p.pageInfo.endCursor);
      seen.push(...p.edges.map((e) => e.node));
    }
    expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)?.cursor ?? null);
    const seenIds = seen.map((n) => n.requestId);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    // Every original row exactly once; the arrivals sort before the first page's end, so they are not in later pages.
    expect(seenIds.filter((id) => rows.some((r) => r.requestId === id)).sort()).toEqual(rows.map((r) => r.requestId).sort());
    expect(seenIds).not.toContain(arriving[0]!.requestId);
    expect(seenIds).not.toContain(arriving[1]!.requestId);
    // Order: createdAt desc, then id desc.
    const keys = seen.map((n) => [Date.parse(n.createdAt), BigInt(n.id)] as const);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1]!, keys[i]!];
      expect(a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])).toBe(true);
    }
    // A fresh first page now starts with the newest arrival.
    expect((await page({}, 1)).edges[0]!.node.requestId).toBe(arriving[0]!.requestId);
  });

  it('a cursor keeps microseconds the API does not show, so rows within one millisecond page correctly', async () => {
    const user = await t.createUser();
    for (const us of ['123401', '123402', '123403', '123499']) {
      await t.app.db.query(
        `INSERT INTO usage_records (request_id, user_id, provider, key_source, model, upstream_model, input_tokens, output_tokens,
           cached_input_tokens, reasoning_tokens, usage_estimated, status, duration_ms, created_at)
         VALUES (gen_random_uuid(), $1, 'OPENAI', 'PLATFORM', 'm', 'm', 1, 1, 0, 0, false, 'SUCCEEDED', 1, $2)`,
        [user.id, `2025-03-05T10:00:00.${us}Z`],
      );
    }
    const ids: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const p: Page = await page({ organizationId: null }, 1, after, user.token);
      ids.push(...p.edges.map((e) => e.node.id));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
  });

  it('ties on createdAt break on the numeric id, not its text (9999999999 before 10000000000 in text order)', async () => {
    const user = await t.createUser();
    for (const id of ['9999999999', '10000000000', '10000000001']) {
      await t.app.db.query(
        `INSERT INTO usage_records (id, request_id, user_id, provider, key_source, model, upstream_model, input_tokens, output_tokens,
           cached_input_tokens, reasoning_tokens, usage_estimated, status, duration_ms, created_at)
         VALUES ($1, gen_random_uuid(), $2, 'OPENAI', 'PLATFORM', 'm', 'm', 1, 1, 0, 0, false, 'SUCCEEDED', 1, '2025-03-06T10:00:00Z')`,
        [id, user.id],
      );
    }
    const ids: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 4; i++) {
      const p: Page = await page({ organizationId: null }, 1, after, user.token);
      ids.push(...p.edges.map((e) => e.node.id));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(ids).toEqual(['10000000001', '10000000000', '9999999999']);
  });

  it('record fields: cost known or not, platform or BYOK key, deleted key and deleted user', async () => {
    const u = await t.createUser();
    const key = await insertKey(t.app.db, { userId: u.id }, 'ANTHROPIC', u.id);
    const gone = await insertKey(t.app.db, { userId: u.id }, 'GOOGLE', u.id);
    const recs = [
      usage('2025-03-01T01:00:00.000Z', { userId: u.id, keyId: key, provider: 'ANTHROPIC', model: 'anthropic/x', upstreamModel: 'x-1', costMicroUsd: 1234, cachedInputTokens: 3, cacheWriteTokens: 40, reasoningTokens: 2, usageEstimated: true }),
      usage('2025-03-01T02:00:00.000Z', { userId: u.id, costMicroUsd: null, timeToFirstTokenMs: null, status: 'FAILED' as UsageRecordInput['status'], errorCode: 'UPSTREAM_ERROR' }),
      usage('2025-03-01T03:00:00.000Z', { userId: u.id, keyId: gone, provider: 'GOOGLE' }),
    ];
    // The first through the recorder's batched direct write, as a completion writes it.
    expect(await t.app.services!.usageRecorder.record(recs[0]!)).toBe('written');
    await insertAll(t.app.db, recs.slice(1));
    await t.app.db.query('DELETE FROM byok_keys WHERE id = $1', [gone]);
    const nodes = (await page({ organizationId: null }, 10, null, u.token)).edges.map((e) => e.node);
    expect(nodes.map((n) => n.requestId)).toEqual([recs[2]!.requestId, recs[1]!.requestId, recs[0]!.requestId]);
    expect(nodes[2]).toMatchObject({
      user: { id: u.id, email: u.email }, organization: null, provider: 'ANTHROPIC', keySource: 'BYOK', key: { id: key }, keyId: key,
      model: 'anthropic/x', upstreamModel: 'x-1', inputTokens: 100, outputTokens: 10, cachedInputTokens: 3, cacheWriteTokens: 40, reasoningTokens: 2,
      usageEstimated: true, costMicroUsd: 1234, costKnown: true, status: 'SUCCEEDED', errorCode: null, timeToFirstTokenMs: 120,
      durationMs: 900, createdAt: '2025-03-01T01:00:00.000Z',
    });
    expect(nodes[1]).toMatchObject({ cacheWriteTokens: 0, keySource: 'PLATFORM', key: null, keyId: null, costMicroUsd: 0, costKnown: false, status: 'FAILED', errorCode: 'UPSTREAM_ERROR', timeToFirstTokenMs: null });
    expect(nodes[0]).toMatchObject({ keySource: 'BYOK', key: null, keyId: gone });
    // Usage outlives its user: a placeholder, not a failed page.
    const ghost = await t.createUser();
    await insertAll(t.app.db, [usage('2025-03-02T00:00:00.000Z', { organizationId: o.orgId, userId: ghost.id })]);
    await t.app.db.query('DELETE FROM users WHERE id = $1', [ghost.id]);
    const admin = (await t.gql.ok<{ usageRecords: Page }>(RECORDS, { filter: { organizationId: o.orgId, from: FROM, to: TO, userIds: [ghost.id] } }, o.admin.token)).usageRecords;
    expect(admin.edges.map((e) => e.node.user)).toEqual([{ id: ghost.id, email: '(deleted user)' }]);
  });

  it('first is 1..100, the cursor must be ours, and the range is checked', async () => {
    const code = async (vars: Record<string, unknown>) =>
      t.gql.code(RECORDS, { filter: { organizationId: o.orgId, from: FROM, to: TO, ...(vars.filter as object) }, first: vars.first, after: vars.after }, o.admin.token);
    expect(await code({ first: 0 })).toBe('BAD_USER_INPUT');
    expect(await code({ first: 101 })).toBe('BAD_USER_INPUT');
    expect(await code({ after: 'not-a-cursor' })).toBe('BAD_USER_INPUT');
    expect(await code({ after: Buffer.from(JSON.stringify(['2025-03-01', '1'])).toString('base64url') })).toBe('BAD_USER_INPUT');
    expect(await code({ after: Buffer.from(JSON.stringify(['2025-03-01T00:00:00.000000Z', '1; DROP'])).toString('base64url') })).toBe('BAD_USER_INPUT');
    expect(await code({ filter: { from: TO, to: FROM } })).toBe('BAD_USER_INPUT');
    expect(await code({ filter: { from: '2020-01-01T00:00:00Z' } })).toBe('BAD_USER_INPUT');
    const full = await t.gql.ok<{ usageRecords: Page }>(RECORDS, { filter: { organizationId: o.orgId, from: FROM, to: TO }, first: 100 }, o.admin.token);
    expect(full.usageRecords.edges.length).toBeGreaterThan(25);
    const empty = await page({ from: FROM, to: FROM });
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    // Default page size is 50.
    const many = Array.from({ length: 60 }, (_, i) => usage(new Date(Date.parse('2025-03-25T00:00:00Z') + i * 1000).toISOString(), { organizationId: o.orgId, userId: o.admin.id }));
    await insertAll(t.app.db, many);
    expect((await page({ userIds: [o.admin.id] })).edges).toHaveLength(50);
  });
});
