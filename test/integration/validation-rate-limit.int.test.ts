import { startTestApp, type TestApp } from '../support/app';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { FAST_VALIDATION_ENV } from '../support/validation-env';

describe('per-provider validation rate limit', () => {
  let mock: MockUpstream;
  let t: TestApp;
  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('ratelimit', { ...mock.env(), ...FAST_VALIDATION_ENV, VALIDATION_RATE_PER_PROVIDER: '5' });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  it('a burst of 20 keys for one provider reaches it at most ~5 per second, while another provider is not held up', async () => {
    const users = await Promise.all(Array.from({ length: 21 }, () => t.createUser()));
    mock.reset();
    const ids = await Promise.all(
      users.slice(0, 20).map(async (u) => {
        const { input } = mockKeyInput('MISTRAL', 'good');
        return (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id;
      }),
    );
    const { input } = mockKeyInput('XAI', 'good');
    const other = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, users[20]!.token)).addByokKey.id;
    const otherDone = Date.now();
    expect(await settledStatus(t, other)).toBe('VALID');
    const xaiLatency = Date.now() - otherDone;
    for (const id of ids) expect(await settledStatus(t, id, 30_000)).toBe('VALID');

    const times = mock.requests
      .filter((r) => r.provider === 'MISTRAL' && r.endpoint === 'validation')
      .map((r) => r.receivedAt)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(20); // each key validated once: a delayed job is not a failed attempt
    // Slots are 200 ms apart: 20 calls span at least ~3.8 s, and no 1 s window holds more than 6.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3500);
    let maxInWindow = 0;
    for (let i = 0; i < times.length; i++) {
      maxInWindow = Math.max(maxInWindow, times.filter((x) => x >= times[i]! && x < times[i]! + 1000).length);
    }
    expect(maxInWindow).toBeLessThanOrEqual(6);
    expect(xaiLatency).toBeLessThan(3000);
    const attempts = (await t.app.db.query("SELECT max(attempts)::int m FROM validation_jobs WHERE provider = 'MISTRAL'")) as Array<{ m: number }>;
    expect(attempts[0]!.m).toBe(1);
  }, 60_000);

  it('is fair: one user’s 20 organizations adding keys at once do not hold up another user’s key (issue 11, finding 16)', async () => {
    const heavy = await t.createUser();
    const light = await t.createUser();
    const orgs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        (await t.gql.ok<{ createOrganization: { id: string } }>(`mutation { createOrganization(name: "heavy ${i}") { id } }`, {}, heavy.token))
          .createOrganization.id,
      ),
    );
    mock.reset();
    const heavyIds = await Promise.all(
      orgs.map(async (organizationId) => {
        const { input } = mockKeyInput('CODESTRAL', 'good', { organizationId });
        return (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, heavy.token)).addByokKey.id;
      }),
    );
    // The backlog is queued and draining at 5/s (~4 s); first come, first served would put the
    // next key behind all of it.
    await mock.waitFor((rs) => rs.filter((r) => r.provider === 'CODESTRAL').length >= 2);
    const { input } = mockKeyInput('CODESTRAL', 'good');
    const lightId = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, light.token)).addByokKey.id;
    const addedAt = Date.now();
    expect(await settledStatus(t, lightId)).toBe('VALID');
    const lightLatency = Date.now() - addedAt;
    for (const id of heavyIds) expect(await settledStatus(t, id, 30_000)).toBe('VALID');
    const pendingHeavyAtLight = (await t.app.db.query(
      'SELECT count(*)::int n FROM byok_keys WHERE id = ANY($1) AND last_validated_at > (SELECT last_validated_at FROM byok_keys WHERE id = $2)',
      [heavyIds, lightId],
    )) as Array<{ n: number }>;
    // Two slots are 400 ms; allow the queue's own latency, far below the ~3.6 s of the backlog.
    expect(lightLatency).toBeLessThan(1500);
    expect(pendingHeavyAtLight[0]!.n).toBeGreaterThanOrEqual(10);
    // Still at most ~5 per second for the provider, each key validated once.
    const calls = mock.requests.filter((r) => r.provider === 'CODESTRAL' && r.endpoint === 'validation');
    expect(new Set(calls.map((r) => r.headers.authorization)).size).toBe(21);
    const times = calls.map((r) => r.receivedAt);
    times.sort((a, b) => a - b);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3500);
  }, 60_000);
});
