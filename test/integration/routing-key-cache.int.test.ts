import { Client } from 'pg';
import { startTestApp, type TestApp } from '../support/app';
import { chatEvents } from '../support/chat';
import { ADD_KEY, SET_ENABLED, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

/**
 * Routing reads an owner's keys from memory (src/modules/routing/owner-keys.ts). These tests
 * change keys behind the serving instance's back and check it never routes on stale keys:
 * through the other instance's API, through raw SQL (the trigger's NOTIFY), and across a lost
 * LISTEN connection. Two instances share one database, as in production.
 */
describe('routing key cache', () => {
  let mock: MockUpstream;
  let a: TestApp;
  let b: TestApp;
  let sql: Client;
  const INPUT = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'USER', content: 'Hi' }] };

  beforeAll(async () => {
    mock = await startMockUpstream();
    a = await startTestApp('keycache', { ...mock.env(), ...FAST_VALIDATION_ENV, ROLE: 'api' });
    b = await startTestApp('keycache', { ...mock.env(), ...FAST_VALIDATION_ENV }, {
      databaseUrl: a.databaseUrl,
      queuePrefix: a.queuePrefix,
      dbName: new URL(a.databaseUrl).pathname.slice(1),
    });
    sql = new Client({ connectionString: a.databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await b.stop();
    await a.stop();
    await mock.close();
  });

  async function userWithKey() {
    const u = await a.createUser();
    const keyId = (await a.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, u.token)).addByokKey.id;
    expect(await settledStatus(a, keyId)).toBe('VALID');
    return { u, keyId };
  }

  async function outcome(t: TestApp, token: string): Promise<string> {
    const { events, errors } = await chatEvents(t, token, INPUT);
    return errors[0]?.extensions?.code ?? events.at(-1)?.type ?? 'nothing';
  }

  /** Changes a key without firing its triggers: no NOTIFY, as if notifications were lost. */
  async function silently(statement: string, params: unknown[]) {
    await sql.query('BEGIN');
    await sql.query('SET LOCAL session_replication_role = replica');
    await sql.query(statement, params);
    await sql.query('COMMIT');
  }

  it('a key disabled through one instance stops serving on the other', async () => {
    const { u, keyId } = await userWithKey();
    expect(await outcome(b, u.token)).toBe('DONE'); // B now holds the owner's keys
    await a.gql.ok(SET_ENABLED, { id: keyId, enabled: false }, u.token);
    await waitFor(async () => (await outcome(b, u.token)) === 'BYOK_KEY_DISABLED', 'B refusing the disabled key', 3000);
    await a.gql.ok(SET_ENABLED, { id: keyId, enabled: true }, u.token);
    await waitFor(async () => (await outcome(b, u.token)) === 'DONE', 'B serving the re-enabled key', 3000);
  }, 60_000);

  it('serves from memory, and a NOTIFY (what the trigger sends on any write) drops the entry', async () => {
    const { u, keyId } = await userWithKey();
    expect(await outcome(b, u.token)).toBe('DONE');
    await silently('UPDATE byok_keys SET enabled = false WHERE id = $1', [keyId]);
    // Nothing told B: it still routes with what it holds, which shows it did not ask Postgres.
    expect(await outcome(b, u.token)).toBe('DONE');
    await sql.query(`SELECT pg_notify('byok_keys_changed', $1)`, [`u:${u.id}`]);
    await waitFor(async () => (await outcome(b, u.token)) === 'BYOK_KEY_DISABLED', 'B refusing after the notification', 3000);

    // A plain SQL write (not through the services) notifies through the trigger.
    await sql.query('UPDATE byok_keys SET enabled = true WHERE id = $1', [keyId]);
    await waitFor(async () => (await outcome(b, u.token)) === 'DONE', 'B serving after the trigger fired', 3000);
    // last_used_at alone is not a change: the trigger stays quiet (checked by the silent path above).
  }, 60_000);

  it('a key deleted outside the services stops routing', async () => {
    const { u } = await userWithKey();
    expect(await outcome(b, u.token)).toBe('DONE');
    await sql.query('DELETE FROM byok_keys WHERE user_id = $1', [u.id]);
    await waitFor(async () => (await outcome(b, u.token)) === 'NO_KEY_FOR_MODEL', 'B without the deleted key', 3000);
  }, 60_000);

  it('after the LISTEN connection drops, nothing held from before is used', async () => {
    const { u, keyId } = await userWithKey();
    expect(await outcome(b, u.token)).toBe('DONE');
    await silently('UPDATE byok_keys SET enabled = false WHERE id = $1', [keyId]);
    expect(await outcome(b, u.token)).toBe('DONE');
    const dbName = new URL(a.databaseUrl).pathname.slice(1);
    const { rowCount } = await sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'byok-gateway-listen' AND datname = $1`,
      [dbName],
    );
    expect(rowCount).toBe(2); // one per instance
    // The termination reaches B's LISTEN client asynchronously (under load, after the next
    // request could start): from when B has noticed, whether it is still reconnecting (reads go
    // to Postgres) or listening again (it dropped everything on the gap), the disabled key is seen.
    await waitFor(() => b.logs.entries().some((l) => l.msg === 'lost the Postgres LISTEN connection; retrying'), 'B to notice the lost LISTEN connection', 5000);
    expect(await outcome(b, u.token)).toBe('BYOK_KEY_DISABLED');
    await waitFor(async () => {
      const r = await sql.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'byok-gateway-listen' AND datname = $1`, [dbName]);
      return r.rowCount === 2;
    }, 'both instances listening again', 10_000);
    // Listening again: entries are kept and trusted again (a silent change goes unseen).
    expect(await outcome(b, u.token)).toBe('BYOK_KEY_DISABLED');
    await silently('UPDATE byok_keys SET enabled = true WHERE id = $1', [keyId]);
    expect(await outcome(b, u.token)).toBe('BYOK_KEY_DISABLED');
    expect(b.logs.entries().some((l) => l.msg === 'lost the Postgres LISTEN connection; retrying')).toBe(true);
  }, 60_000);
});
