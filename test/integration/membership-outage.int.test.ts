import { Client } from 'pg';
import type { UserPrincipal } from '../../src/auth/principal';
import { AppError } from '../../src/errors/app-error';
import { startAppBehindPgProxy, type AppBehindPgProxy } from '../support/app-behind-pg-proxy';
import { waitFor } from '../support/wait';

const ADD_MEMBER = 'mutation($o: ID!, $e: String!) { addOrganizationMember(organizationId: $o, email: $e, role: MEMBER) { role } }';

/**
 * Issue 16: a membership checked for routing serves through a Postgres outage, but one removed
 * must not, even when the member's own check was in flight while the removal committed (an
 * active Claude Code session while an admin removes its user).
 */
describe('a removed member is not served from the last known memberships', () => {
  let env: AppBehindPgProxy;
  beforeAll(async () => {
    env = await startAppBehindPgProxy('member-outage');
  });
  afterAll(() => env.stop());

  it('a routing check that read the row before the removal committed does not outlive it into an outage', async () => {
    const { t, proxy, direct } = env;
    const orgs = t.app.services!.organizations;
    const owner = await t.createUser();
    const alice = await t.createUser();
    const org = (await t.gql.ok<{ createOrganization: { id: string } }>('mutation { createOrganization(name: "Acme") { id } }', {}, owner.token)).createOrganization.id;
    await t.gql.ok(ADD_MEMBER, { o: org, e: alice.email }, owner.token);
    const as = (id: string) => ({ kind: 'user', userId: id, tokenId: 'n/a' }) as UserPrincipal;
    expect(await orgs.routingOrganization(as(alice.id), org)).toBe(org);

    // The removal's transaction is held after its DELETE (its audit INSERT waits on this lock).
    await direct.query('BEGIN');
    await direct.query('LOCK TABLE audit_events IN SHARE MODE');
    const watcher = new Client({ connectionString: t.databaseUrl }); // the database itself, not the proxy
    let removal: Promise<boolean> | undefined;
    try {
      await watcher.connect();
      removal = orgs.removeMember(as(owner.id), org, alice.id);
      await waitFor(
        async () => (await watcher.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%audit_events%'")).rowCount! > 0,
        'the removal to wait on the audit lock',
        10_000,
      );
      // Alice's check reads the row the uncommitted DELETE still leaves visible.
      expect(await orgs.routingOrganization(as(alice.id), org)).toBe(org);
    } finally {
      await direct.query('COMMIT');
      await watcher.end();
    }
    expect(await removal).toBe(true);

    proxy.cut();
    try {
      let err: unknown;
      try {
        await orgs.routingOrganization(as(alice.id), org);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('UNAVAILABLE');
    } finally {
      await env.heal();
    }
  });
});
