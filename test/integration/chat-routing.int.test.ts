import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { VALIDATION_QUEUE } from '../../src/jobs/queues';
import { ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { chatEvents } from '../support/chat';
import { ADD_KEY, SET_ENABLED, jobsSettled, mockKeyInput, orgWithRoles, settledStatus } from '../support/keys';
import { mockKey, startMockUpstream, type MockUpstream, type Scenario } from '../support/mock-upstream';
import { TEST_REDIS_URL } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const SONNET = 'anthropic/claude-sonnet-4.5'; // ANTHROPIC first, then BEDROCK
const HELLO = [{ role: 'USER', content: 'Hello' }];

describe('chatCompletion routing', () => {
  let mock: MockUpstream;
  let t: TestApp;
  const platformKey = mockKey(ProviderId.OPENAI, 'good', 'platform');

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('routing', { ...mock.env(), ...FAST_VALIDATION_ENV, PLATFORM_KEY_OPENAI: platformKey });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  async function addKey(token: string, provider: string, scenario: Scenario, extra: Record<string, unknown> = {}, settle = true) {
    const { input, secret } = mockKeyInput(provider, scenario, extra);
    const k = (await t.gql.ok<{ addByokKey: { id: string; hint: string } }>(ADD_KEY, { input }, token)).addByokKey;
    if (settle) await settledStatus(t, k.id);
    return { ...k, secret };
  }

  const platformKeySent = () => mock.requests.some((r) => JSON.stringify(r.headers).includes(platformKey));
  const usageRows = async (requestId: string) =>
    waitFor(async () => {
      const r = (await t.app.db.query('SELECT * FROM usage_records WHERE request_id = $1', [requestId])) as Array<Record<string, unknown>>;
      return r.length ? r : undefined;
    }, 'the usage record');

  it('personal context uses personal keys; organization context uses only that organization’s keys', async () => {
    const o = await orgWithRoles(t);
    const personal = await addKey(o.member.token, 'OPENAI', 'good');
    const orgKey = await addKey(o.owner.token, 'OPENAI', 'good', { organizationId: o.orgId });
    const model = 'openai/gpt-5.4-mini';
    const mine = await chatEvents(t, o.member.token, { model, messages: HELLO });
    expect(mine.events[0]).toMatchObject({ type: 'START', keyId: personal.id, keySource: 'BYOK' });
    const viaOrg = await chatEvents(t, o.member.token, { model, messages: HELLO, organizationId: o.orgId });
    expect(viaOrg.events[0]).toMatchObject({ type: 'START', keyId: orgKey.id });
    const row = (await usageRows(viaOrg.events[0]!.requestId))[0]!;
    expect(row).toMatchObject({ organization_id: o.orgId, user_id: o.member.id, key_id: orgKey.id });
    // A non-member cannot route with the organization's keys, and learns nothing.
    const res = await chatEvents(t, o.outsider.token, { model, messages: HELLO, organizationId: o.orgId });
    expect(res.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(res.events).toEqual([]);
  });

  it('an INVALID key is skipped while another candidate exists; alone it is BYOK_KEY_INVALID', async () => {
    const u = await t.createUser();
    const bad = await addKey(u.token, 'ANTHROPIC', 'bad');
    expect(await settledStatus(t, bad.id)).toBe('INVALID');
    const alone = await chatEvents(t, u.token, { model: SONNET, messages: HELLO });
    expect(alone.errors.map((e) => e.extensions?.code)).toEqual(['BYOK_KEY_INVALID']);
    const bedrock = await addKey(u.token, 'BEDROCK', 'good');
    const served = await chatEvents(t, u.token, { model: SONNET, messages: HELLO });
    expect(served.errors).toEqual([]);
    expect(served.events[0]).toMatchObject({ provider: 'BEDROCK', keyId: bedrock.id });
  });

  it('a disabled key is ignored; if all the owner’s keys are disabled it is BYOK_KEY_DISABLED, never the platform key', async () => {
    const u = await t.createUser();
    const a = await addKey(u.token, 'ANTHROPIC', 'good');
    const b = await addKey(u.token, 'BEDROCK', 'good');
    await t.gql.ok(SET_ENABLED, { id: a.id, enabled: false }, u.token);
    expect((await chatEvents(t, u.token, { model: SONNET, messages: HELLO })).events[0]).toMatchObject({ keyId: b.id });
    await t.gql.ok(SET_ENABLED, { id: b.id, enabled: false }, u.token);
    const off = await chatEvents(t, u.token, { model: SONNET, messages: HELLO });
    expect(off.errors.map((e) => e.extensions?.code)).toEqual(['BYOK_KEY_DISABLED']);
    const o = await t.createUser();
    const openai = await addKey(o.token, 'OPENAI', 'good');
    await t.gql.ok(SET_ENABLED, { id: openai.id, enabled: false }, o.token);
    mock.reset();
    const r = await chatEvents(t, o.token, { model: 'openai/gpt-5.4-mini', messages: HELLO });
    expect(r.errors.map((e) => e.extensions?.code)).toEqual(['BYOK_KEY_DISABLED']);
    expect(platformKeySent()).toBe(false);
  });

  it('platform key configured but the owner has a bad key: fails with BYOK_KEY_INVALID, the platform key is never sent, the key is invalidated', async () => {
    const u = await t.createUser();
    // The real case: a key that validated fine and was revoked at the provider afterwards.
    const k = await addKey(u.token, 'OPENAI', 'bad');
    const [created] = await jobsSettled(t, k.id);
    // Until BullMQ has moved that job out of `active`, a new validation of the same secret
    // (deliberately) collapses into it; wait so the rejected-in-use job is a job of its own.
    const redis = new Redis(TEST_REDIS_URL);
    const queue = new Queue(VALIDATION_QUEUE, { connection: redis, prefix: t.queuePrefix });
    try {
      await waitFor(async () => (await queue.getJobState(created!.id as string)) === 'failed', 'the created job to leave active');
    } finally {
      await queue.close();
      redis.disconnect();
    }
    await t.app.db.query("UPDATE byok_keys SET status = 'VALID' WHERE id = $1", [k.id]);
    mock.reset();
    const r = await chatEvents(t, u.token, { model: 'openai/gpt-5.4-mini', messages: HELLO });
    expect(r.errors.map((e) => e.extensions?.code)).toEqual(['BYOK_KEY_INVALID']);
    expect(r.errors[0]!.message).not.toContain(k.secret);
    expect(platformKeySent()).toBe(false);
    expect(await settledStatus(t, k.id)).toBe('INVALID');
    // The revalidation is queued after the error is sent (never on the client's path): wait for it.
    const jobs = await waitFor(async () => {
      const rows = await jobsSettled(t, k.id);
      return rows.length >= 2 ? rows : undefined;
    }, 'the rejected-in-use validation');
    expect(jobs.map((j) => [j.trigger, j.outcome])).toEqual([
      ['created', 'INVALID'],
      ['rejected-in-use', 'INVALID'],
    ]);
    const audit = (await t.app.db.query("SELECT detail FROM audit_events WHERE target_id = $1 AND action = 'byok_key.invalidated'", [k.id])) as Array<{ detail: string }>;
    expect(audit.length).toBeGreaterThanOrEqual(1);
    // The request was routed, so it has its usage record: FAILED with the code.
    const recorded = await waitFor(async () => {
      const rows = (await t.app.db.query('SELECT status, error_code, key_id FROM usage_records WHERE key_id = $1', [k.id])) as unknown[];
      return rows.length ? rows : undefined;
    }, 'the usage record');
    expect(recorded).toEqual([{ status: 'FAILED', error_code: 'BYOK_KEY_INVALID', key_id: k.id }]);
  });

  it('no owner key: the platform key serves (keySource PLATFORM); none configured: NO_KEY_FOR_MODEL', async () => {
    const u = await t.createUser();
    mock.reset();
    const r = await chatEvents(t, u.token, { model: 'openai/gpt-5.4-mini', messages: HELLO });
    expect(r.events[0]).toMatchObject({ type: 'START', keySource: 'PLATFORM', keyId: null, keyHint: null, provider: 'OPENAI' });
    expect(platformKeySent()).toBe(true);
    expect((await usageRows(r.events[0]!.requestId))[0]).toMatchObject({ key_source: 'PLATFORM', key_id: null, status: 'SUCCEEDED' });
    const none = await chatEvents(t, u.token, { model: SONNET, messages: HELLO });
    expect(none.errors.map((e) => e.extensions?.code)).toEqual(['NO_KEY_FOR_MODEL']);
  });

  it('plan models go through the plan key only; without a plan key: NO_KEY_FOR_MODEL', async () => {
    const u = await t.createUser();
    await addKey(u.token, 'ZAI', 'good');
    const without = await chatEvents(t, u.token, { model: 'zai-coding/glm-4.7', messages: HELLO });
    expect(without.errors.map((e) => e.extensions?.code)).toEqual(['NO_KEY_FOR_MODEL']);
    const plan = await addKey(u.token, 'ZAI_CODING', 'good');
    mock.reset();
    const r = await chatEvents(t, u.token, { model: 'zai-coding/glm-4.7', messages: HELLO });
    expect(r.events[0]).toMatchObject({ provider: 'ZAI_CODING', keyId: plan.id, upstreamModel: 'glm-4.7' });
    const chat = mock.requests.find((q) => q.endpoint === 'chat')!;
    expect(chat.path).toContain('/api/coding/paas/v4/chat/completions');
    const usage = r.events.find((e) => e.type === 'USAGE')!.usage!;
    expect(usage).toMatchObject({ costMicroUsd: 0, costKnown: true });
  });

  it('before the first byte, 5xx and 429 move on to the owner’s next key; usage names the key that served', async () => {
    const u = await t.createUser();
    await addKey(u.token, 'ANTHROPIC', 'server-error');
    const b = await addKey(u.token, 'BEDROCK', 'good');
    const r = await chatEvents(t, u.token, { model: SONNET, messages: HELLO });
    expect(r.errors).toEqual([]);
    expect(r.events[0]).toMatchObject({ provider: 'BEDROCK', keyId: b.id });
    expect((await usageRows(r.events[0]!.requestId))[0]).toMatchObject({ provider: 'BEDROCK', key_id: b.id, status: 'SUCCEEDED' });
    const v = await t.createUser();
    await addKey(v.token, 'ANTHROPIC', 'ratelimited');
    const only = await chatEvents(t, v.token, { model: SONNET, messages: HELLO });
    expect(only.errors.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_RATE_LIMITED']);
  });

  it('input.provider restricts the candidates; unknown models and bad input are rejected before routing', async () => {
    const u = await t.createUser();
    await addKey(u.token, 'ANTHROPIC', 'good');
    const b = await addKey(u.token, 'BEDROCK', 'good');
    const r = await chatEvents(t, u.token, { model: SONNET, messages: HELLO, provider: 'BEDROCK' });
    expect(r.events[0]).toMatchObject({ keyId: b.id });
    await usageRows(r.events[0]!.requestId); // written after DONE: let it land before counting
    const before = ((await t.app.db.query('SELECT count(*)::int n FROM usage_records')) as Array<{ n: number }>)[0]!.n;
    const codes = async (input: Record<string, unknown>) => (await chatEvents(t, u.token, input)).errors.map((e) => e.extensions?.code);
    expect(await codes({ model: 'nope/unknown-model', messages: HELLO })).toEqual(['MODEL_NOT_FOUND']);
    expect(await codes({ model: SONNET, messages: HELLO, provider: 'OPENAI' })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ model: SONNET, messages: [] })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ model: SONNET, messages: HELLO, temperature: 7 })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ model: SONNET, messages: HELLO, maxTokens: 0 })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ model: SONNET, messages: HELLO, stop: ['a', 'b', 'c', 'd', 'e'] })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ model: SONNET, messages: [{ role: 'SYSTEM', content: 'only system' }] })).toEqual(['BAD_USER_INPUT']);
    // Nothing routed, nothing recorded.
    expect(((await t.app.db.query('SELECT count(*)::int n FROM usage_records')) as Array<{ n: number }>)[0]!.n).toBe(before);
  });

  it('a `<provider-slug>/<upstream-id>` the catalog does not know is passed through; cost is unknown', async () => {
    const u = await t.createUser();
    const k = await addKey(u.token, 'OPENAI', 'good');
    mock.reset();
    const r = await chatEvents(t, u.token, { model: 'openai/gpt-9-preview', messages: HELLO });
    expect(r.events[0]).toMatchObject({ keyId: k.id, upstreamModel: 'gpt-9-preview' });
    expect(r.events.find((e) => e.type === 'USAGE')!.usage).toMatchObject({ costKnown: false, costMicroUsd: 0 });
    expect((mock.requests.find((q) => q.endpoint === 'chat')!.body as { model: string }).model).toBe('gpt-9-preview');
    expect((await usageRows(r.events[0]!.requestId))[0]!.cost_micro_usd).toBeNull();
  });
});
