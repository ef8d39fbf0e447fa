import { Keyring } from '../../src/crypto/envelope';
import { generateMasterKey, parseMasterKeys } from '../../src/crypto/master-keys';
import { ByokKeyEntity } from '../../src/modules/byok-keys/byok-key.entity';
import { rewrapAllKeys } from '../../src/modules/byok-keys/rewrap';
import { ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { addKey, jobsSettled, settledStatus } from '../support/keys';
import { mockKey, startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { TEST_ENCRYPTION_KEYS } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

/**
 * Issue 11, finding 10: `keys:rewrap` must not skip rows another transaction holds (and report
 * `failed: []`), and a key whose secret cannot be decrypted must not leave its validation job
 * RUNNING forever.
 */
describe('master key rotation faults', () => {
  let mock: MockUpstream;
  let t: TestApp;

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('rotation', { ...mock.env(), ...FAST_VALIDATION_ENV });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  /** Three fresh keys of a fresh user, and a keyring whose active key is new. */
  async function keysToRotate(): Promise<{ ids: string[]; rotated: Keyring; newId: string }> {
    const u = await t.createUser();
    const ids: string[] = [];
    for (const p of [ProviderId.XAI, ProviderId.MISTRAL, ProviderId.NOVITA]) {
      const k = await addKey(t, u.token, { provider: p, apiKey: mockKey(p, 'good') });
      await settledStatus(t, k.id);
      ids.push(k.id);
    }
    const newId = `r${Date.now().toString(36)}`;
    const rotated = new Keyring(parseMasterKeys(`${generateMasterKey(newId)},${TEST_ENCRYPTION_KEYS}`));
    return { ids, rotated, newId };
  }

  /** Holds a row lock on `id` (what a concurrent updateByokKey does) until `release()`. */
  async function holdLock(id: string): Promise<{ release: () => Promise<void> }> {
    const qr = t.app.db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    await qr.query('SELECT id FROM byok_keys WHERE id = $1 FOR UPDATE', [id]);
    return {
      release: async () => {
        await qr.commitTransaction();
        await qr.release();
      },
    };
  }

  const masterKeyOf = async (id: string) =>
    (await t.app.db.getRepository(ByokKeyEntity).findOneByOrFail({ id })).masterKeyId;

  it('waits for a row another transaction holds, then re-wraps it', async () => {
    const { ids, rotated, newId } = await keysToRotate();
    const lock = await holdLock(ids[1]!);
    const released = new Promise<void>((resolve) => setTimeout(() => void lock.release().then(resolve), 400));
    const report = await rewrapAllKeys(t.app.db, rotated, { lockTimeoutMs: 150, lockAttempts: 20, retryDelayMs: 50 });
    await released;
    expect(report.failed).toEqual([]);
    for (const id of ids) expect(await masterKeyOf(id)).toBe(newId);
  });

  it('reports every row it could not lock, and the CLI’s rule (failed non-empty) makes it exit non-zero', async () => {
    const { ids, rotated, newId } = await keysToRotate();
    const lock = await holdLock(ids[2]!);
    try {
      const report = await rewrapAllKeys(t.app.db, rotated, { batchSize: 2, lockTimeoutMs: 100, lockAttempts: 2, retryDelayMs: 20 });
      // (Rows of the test before are wrapped by a key this keyring lacks: reported too, as undecryptable.)
      expect(report.failed.filter((f) => ids.includes(f.id))).toEqual([
        { id: ids[2], masterKeyId: expect.any(String), reason: expect.stringMatching(/locked by another transaction/) },
      ]);
      expect(report.failed.filter((f) => !ids.includes(f.id)).every((f) => /could not be decrypted/.test(f.reason))).toBe(true);
      expect(report.failed[0]!.masterKeyId).not.toBe(newId);
      expect(await masterKeyOf(ids[0]!)).toBe(newId);
      expect(await masterKeyOf(ids[1]!)).toBe(newId);
    } finally {
      await lock.release();
    }
  });

  it('a key whose secret cannot be decrypted ends its validation INVALID with a clear error, not RUNNING', async () => {
    const u = await t.createUser();
    const k = await addKey(t, u.token, { provider: 'OPENAI', apiKey: mockKey(ProviderId.OPENAI, 'good') });
    expect(await settledStatus(t, k.id)).toBe('VALID');
    // The operator removed the master key this row is wrapped with; then a revalidation runs.
    await t.app.db.query("UPDATE byok_keys SET master_key_id = 'removed', status = 'PENDING' WHERE id = $1", [k.id]);
    const jobs = await waitFor(async () => {
      const rows = await jobsSettled(t, k.id, 10_000);
      return rows.length >= 2 ? rows : undefined;
    }, 'the reconciler’s validation to finish', 15_000);
    const last = jobs[jobs.length - 1]!;
    expect(last).toMatchObject({ outcome: 'INVALID', trigger: 'reconcile' });
    expect(last.error).toMatch(/cannot be decrypted.*master key removed is not configured/);
    const row = (await t.app.db.query('SELECT status, last_error FROM byok_keys WHERE id = $1', [k.id])) as Array<{ status: string; last_error: string }>;
    expect(row[0]).toMatchObject({ status: 'INVALID', last_error: expect.stringMatching(/update the key with its secret again/) });
  });
});
