/**
 * Issue 16: the routing cache's last known keys (served through a Postgres outage) never bring
 * back keys a change just dropped, also when the cache is full and a change drops everything.
 */
import { OwnerKeys } from '../../src/modules/routing/owner-keys';
import { KeyChanges, ownerRef } from '../../src/modules/byok-keys/key-changes';
import { startAppBehindPgProxy, type AppBehindPgProxy } from '../support/app-behind-pg-proxy';
import { ADD_KEY, mockKeyInput } from '../support/keys';

describe('OwnerKeys last known state through an outage', () => {
  let env: AppBehindPgProxy;
  beforeAll(async () => {
    env = await startAppBehindPgProxy('ownerkeys');
  });
  afterAll(() => env.stop());

  it('a change while the owner table is full drops the changed owner’s last known keys too', async () => {
    const { t, proxy } = env;
    const [a, b] = [await t.createUser(), await t.createUser()];
    for (const u of [a, b]) await t.gql.ok(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, u.token);
    const changes = new KeyChanges();
    const keys = new OwnerKeys(t.app.db, changes, () => true, 60_000, 2);
    const ownerA = { userId: a.id, organizationId: null };
    const ownerB = { userId: b.id, organizationId: null };
    expect(await keys.keys(ownerA)).toHaveLength(1);
    expect(await keys.keys(ownerB)).toHaveLength(1);
    changes.changed(ownerRef(ownerB));
    changes.changed(ownerRef({ userId: '00000000-0000-4000-8000-000000000000', organizationId: null })); // two owners tracked: full
    changes.changed(ownerRef(ownerA)); // the full-table branch: drops everything
    proxy.cut();
    try {
      await expect(keys.keys(ownerA)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      proxy.heal();
    }
  });

  it('an owner not changed is served from its last known keys through the cut, with the trusted cache off', async () => {
    const { t, proxy } = env;
    const c = await t.createUser();
    await t.gql.ok(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, c.token);
    let trusted = true;
    const keys = new OwnerKeys(t.app.db, new KeyChanges(), () => trusted, 60_000, 1);
    const owner = { userId: c.id, organizationId: null };
    expect(await keys.keys(owner)).toHaveLength(1);
    trusted = false; // as in a LISTEN gap: every call loads, and the load meets the cut
    proxy.cut();
    try {
      expect(await keys.keys(owner)).toHaveLength(1);
      const stranger = { userId: '00000000-0000-4000-8000-000000000000', organizationId: null };
      await expect(keys.keys(stranger)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      proxy.heal();
    }
  });
});
