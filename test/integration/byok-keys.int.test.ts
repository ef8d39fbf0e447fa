import { Keyring } from '../../src/crypto/envelope';
import { parseMasterKeys, generateMasterKey } from '../../src/crypto/master-keys';
import { secretForms } from '../../src/crypto/secret-forms';
import { ByokKeyEntity } from '../../src/modules/byok-keys/byok-key.entity';
import { openCredential } from '../../src/modules/byok-keys/key-secrets';
import { rewrapAllKeys } from '../../src/modules/byok-keys/rewrap';
import { ProviderId } from '../../src/providers/types';
import { countRows, startTestApp, type TestApp } from '../support/app';
import { ADD_KEY, AUDIT, DELETE_KEY, GET_KEY, LIST_KEYS, SET_ENABLED, UPDATE_KEY, addKey } from '../support/keys';
import { mockAwsCredentials, mockKey } from '../support/mock-upstream';
import { leakedSecrets } from '../support/secret-scan';
import { TEST_ENCRYPTION_KEYS } from '../support/test-env';

describe('BYOK keys: storage, encryption, lifecycle, audit', () => {
  let t: TestApp;
  /** Every secret this file submits, to search the logs and responses for at the end. */
  const secrets: string[] = [];
  const key = (p: ProviderId) => {
    const k = mockKey(p, 'good');
    secrets.push(k);
    return k;
  };

  beforeAll(async () => {
    t = await startTestApp('byokkeys');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('lists the 18 providers and their models', async () => {
    const u = await t.createUser();
    const d = await t.gql.ok<{ providers: Array<{ id: string; slug: string; kind: string; models: Array<{ id: string; providers: string[] }> }> }>(
      '{ providers { id slug name kind dialect credentialFormat models { id name providers contextLength } } }',
      {},
      u.token,
    );
    expect(d.providers.map((p) => p.id)).toEqual(Object.values(ProviderId));
    const zaiCoding = d.providers.find((p) => p.id === 'ZAI_CODING')!;
    expect(zaiCoding).toMatchObject({ slug: 'zai-coding', kind: 'SUBSCRIPTION' });
    expect(zaiCoding.models.map((m) => m.id)).toContain('zai-coding/glm-4.7');
    expect(zaiCoding.models.every((m) => m.providers.join() === 'ZAI_CODING')).toBe(true);
    const m = await t.gql.ok<{ models: Array<{ id: string; providers: string[] }> }>(
      '{ models(provider: BEDROCK) { id providers } }',
      {},
      u.token,
    );
    const sonnet = m.models.find((x) => x.id === 'anthropic/claude-sonnet-4.5');
    expect(sonnet?.providers).toEqual(['ANTHROPIC', 'BEDROCK']);
  });

  it('adds, lists (hint only), updates, disables, deletes a personal key, with an audit event each', async () => {
    const u = await t.createUser();
    const secret = key(ProviderId.OPENAI);
    const added = await t.gql.request<{ addByokKey: { id: string; hint: string; status: string; user: { id: string }; organization: null } }>(
      ADD_KEY,
      { input: { provider: 'OPENAI', apiKey: `  ${secret}\n` } },
      u.token,
    );
    expect(added.errors).toBeUndefined();
    const k = added.data!.addByokKey;
    expect(k).toMatchObject({ status: 'PENDING', user: { id: u.id }, organization: null });
    expect(k.hint).toMatch(/^sk-…[A-Za-z0-9]{4}$/);
    expect(k.hint.slice(-4)).toBe(secret.slice(-4));

    const list = await t.gql.ok<{ byokKeys: Array<{ id: string; hint: string }> }>(LIST_KEYS, {}, u.token);
    expect(list.byokKeys).toEqual([expect.objectContaining({ id: k.id, hint: k.hint })]);

    const second = key(ProviderId.OPENAI);
    const upd = await t.gql.ok<{ updateByokKey: { hint: string; status: string } }>(
      UPDATE_KEY,
      { input: { id: k.id, apiKey: second } },
      u.token,
    );
    expect(upd.updateByokKey.hint.slice(-4)).toBe(second.slice(-4));
    const row = await t.app.db.getRepository(ByokKeyEntity).findOneByOrFail({ id: k.id });
    expect(row.secretVersion).toBe(2);
    expect(openCredential(new Keyring(parseMasterKeys(TEST_ENCRYPTION_KEYS)), row)).toEqual({
      kind: 'api_key',
      apiKey: second,
    });

    await t.gql.ok(SET_ENABLED, { id: k.id, enabled: false }, u.token);
    // Setting the same value again changes nothing and records nothing.
    await t.gql.ok(SET_ENABLED, { id: k.id, enabled: false }, u.token);
    expect((await t.gql.ok<{ byokKey: { enabled: boolean } }>(GET_KEY, { id: k.id }, u.token)).byokKey.enabled).toBe(false);
    await t.gql.ok(SET_ENABLED, { id: k.id, enabled: true }, u.token);
    expect(await t.gql.ok(DELETE_KEY, { id: k.id }, u.token)).toEqual({ deleteByokKey: k.id });
    expect((await t.gql.ok<{ byokKey: unknown }>(GET_KEY, { id: k.id }, u.token)).byokKey).toBeNull();

    const audit = await t.gql.ok<{ auditEvents: { edges: Array<{ node: { action: string; actor: { id: string }; targetId: string; provider: string; detail: string } }> } }>(
      AUDIT,
      {},
      u.token,
    );
    const nodes = audit.auditEvents.edges.map((e) => e.node);
    expect(nodes.map((n) => n.action)).toEqual([
      'byok_key.deleted',
      'byok_key.enabled',
      'byok_key.disabled',
      'byok_key.updated',
      'byok_key.created',
    ]);
    expect(nodes.every((n) => n.actor.id === u.id && n.targetId === k.id && n.provider === 'OPENAI')).toBe(true);
    expect(nodes[4]!.detail).toBe(`Added OpenAI key ${k.hint}`);
  });

  it('stores no trace of the secret: not as text, base64 or hex, anywhere in the row', async () => {
    const u = await t.createUser();
    const secret = key(ProviderId.ANTHROPIC);
    const k = await addKey(t, u.token, { provider: 'ANTHROPIC', apiKey: secret });
    const rows = (await t.app.db.query(
      `SELECT k.*, encode(wrapped_key,'hex') w, encode(secret_ciphertext,'hex') c, encode(secret_ciphertext,'base64') cb,
              encode(secret_ciphertext, 'escape') ce
       FROM byok_keys k WHERE id = $1`,
      [k.id],
    )) as Array<Record<string, unknown>>;
    const dump = JSON.stringify(rows[0], (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
    for (const form of secretForms(secret)) expect(dump).not.toContain(form);
    const audits = JSON.stringify(await t.app.db.query('SELECT * FROM audit_events'));
    for (const form of secretForms(secret)) expect(audits).not.toContain(form);
  });

  it("a ciphertext copied onto another key's row fails to decrypt", async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    const ka = await addKey(t, a.token, { provider: 'MISTRAL', apiKey: key(ProviderId.MISTRAL) });
    const kb = await addKey(t, b.token, { provider: 'MISTRAL', apiKey: key(ProviderId.MISTRAL) });
    const repo = t.app.db.getRepository(ByokKeyEntity);
    const rowA = await repo.findOneByOrFail({ id: ka.id });
    const rowB = await repo.findOneByOrFail({ id: kb.id });
    const keyring = new Keyring(parseMasterKeys(TEST_ENCRYPTION_KEYS));
    expect(openCredential(keyring, rowB)).toMatchObject({ kind: 'api_key' });
    const forged = { ...rowB, masterKeyId: rowA.masterKeyId, wrappedKey: rowA.wrappedKey, secretIv: rowA.secretIv, secretCiphertext: rowA.secretCiphertext, secretTag: rowA.secretTag };
    expect(() => openCredential(keyring, forged)).toThrow(/could not be decrypted/);
  });

  it('keys:rewrap moves every key to a new master key; after removing the old one all still decrypt', async () => {
    const u = await t.createUser();
    for (const p of [ProviderId.XAI, ProviderId.GOOGLE, ProviderId.FIREWORKS]) {
      await addKey(t, u.token, { provider: p, apiKey: key(p) });
    }
    const repo = t.app.db.getRepository(ByokKeyEntity);
    const before = await repo.find();
    const plaintexts = new Map(before.map((r) => [r.id, openCredential(new Keyring(parseMasterKeys(TEST_ENCRYPTION_KEYS)), r)]));
    const k2 = generateMasterKey('k2');
    const rotated = new Keyring(parseMasterKeys(`${k2},${TEST_ENCRYPTION_KEYS}`));
    const report = await rewrapAllKeys(t.app.db, rotated, { batchSize: 2 });
    expect(report).toMatchObject({ rewrapped: before.length, failed: [], alreadyCurrent: 0 });
    // Resumable: a second run finds nothing left to do.
    expect(await rewrapAllKeys(t.app.db, rotated)).toMatchObject({ rewrapped: 0, alreadyCurrent: before.length });
    const after = await repo.find();
    expect(after.every((r) => r.masterKeyId === 'k2')).toBe(true);
    // Only the new key in the ring: every row still opens to the same credential.
    const newOnly = new Keyring(parseMasterKeys(k2));
    for (const r of after) expect(openCredential(newOnly, r)).toEqual(plaintexts.get(r.id));
    // And the old key alone no longer opens them.
    const oldOnly = new Keyring(parseMasterKeys(TEST_ENCRYPTION_KEYS));
    expect(() => openCredential(oldOnly, after[0]!)).toThrow();
  });

  it('Bedrock takes awsCredentials or the same JSON in apiKey; the hint shows the key id and region', async () => {
    const u = await t.createUser();
    const creds = mockAwsCredentials('good');
    secrets.push(creds.secretAccessKey);
    const k = await addKey(t, u.token, { provider: 'BEDROCK', awsCredentials: creds });
    expect(k.hint).toBe(`${creds.accessKeyId.slice(0, 4)}…${creds.accessKeyId.slice(-4)} (us-east-1)`);
    const o = await t.createUser();
    const creds2 = { ...mockAwsCredentials('good'), region: 'eu-central-1' };
    secrets.push(creds2.secretAccessKey);
    const k2 = await addKey(t, o.token, { provider: 'BEDROCK', apiKey: JSON.stringify(creds2) });
    expect(k2.hint).toMatch(/\(eu-central-1\)$/);
    const row = await t.app.db.getRepository(ByokKeyEntity).findOneByOrFail({ id: k2.id });
    expect(openCredential(new Keyring(parseMasterKeys(TEST_ENCRYPTION_KEYS)), row)).toEqual({ kind: 'aws', ...creds2 });
  });

  it('one key per provider per owner: a second is CONFLICT, enforced by the database too', async () => {
    const u = await t.createUser();
    await addKey(t, u.token, { provider: 'NOVITA', apiKey: key(ProviderId.NOVITA) });
    const keys = await countRows(t.app, 'byok_keys');
    const audits = await countRows(t.app, 'audit_events');
    expect(await t.gql.code(ADD_KEY, { input: { provider: 'NOVITA', apiKey: key(ProviderId.NOVITA) } }, u.token)).toBe('CONFLICT');
    expect(await countRows(t.app, 'byok_keys')).toBe(keys);
    expect(await countRows(t.app, 'audit_events')).toBe(audits);
    // The constraint itself, bypassing the service.
    const row = await t.app.db.getRepository(ByokKeyEntity).findOneByOrFail({ userId: u.id, provider: ProviderId.NOVITA });
    await expect(
      t.app.db.query(
        `INSERT INTO byok_keys (id, user_id, provider, hint, master_key_id, wrapped_key, secret_iv, secret_ciphertext, secret_tag, created_by)
         SELECT gen_random_uuid(), user_id, provider, hint, master_key_id, wrapped_key, secret_iv, secret_ciphertext, secret_tag, created_by
         FROM byok_keys WHERE id = $1`,
        [row.id],
      ),
    ).rejects.toThrow(/byok_keys_personal_provider_key/);
  });

  it('the audit trail is append-only in the database', async () => {
    await expect(t.app.db.query("UPDATE audit_events SET detail = 'x'")).rejects.toThrow(/append-only/);
    await expect(t.app.db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
  });

  it('audit events page with cursors', async () => {
    const u = await t.createUser();
    const k = await addKey(t, u.token, { provider: 'INCEPTION', apiKey: key(ProviderId.INCEPTION) });
    for (let i = 0; i < 3; i++) {
      await t.gql.ok(SET_ENABLED, { id: k.id, enabled: false }, u.token);
      await t.gql.ok(SET_ENABLED, { id: k.id, enabled: true }, u.token);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { auditEvents: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await t.gql.ok(AUDIT, { first: 3, after }, u.token);
      seen.push(...page.auditEvents.edges.map((e) => e.node.id));
      if (!page.auditEvents.pageInfo.hasNextPage) break;
      after = page.auditEvents.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(await t.gql.code(AUDIT, { first: 0 }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(AUDIT, { first: 101 }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(AUDIT, { after: 'garbage' }, u.token)).toBe('BAD_USER_INPUT');
  });

  it('never leaks a secret into a log line or a GraphQL response', () => {
    const haystack = `${t.logs.text()}\n${t.gql.transcript.join('\n')}`;
    expect(t.logs.lines.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(5);
    expect(leakedSecrets(haystack, secrets)).toEqual([]);
  });
});
