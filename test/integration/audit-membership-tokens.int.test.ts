import { startTestApp, type TestApp } from '../support/app';
import { AUDIT } from '../support/keys';

interface AuditNode {
  action: string;
  actor: { id: string } | null;
  organization: { id: string } | null;
  targetId: string | null;
  detail: string | null;
}

const ADD_MEMBER =
  'mutation($o: ID!, $e: String!, $r: OrgRole!) { addOrganizationMember(organizationId: $o, email: $e, role: $r) { role } }';
const CHANGE_ROLE =
  'mutation($o: ID!, $u: ID!, $r: OrgRole!) { updateOrganizationMemberRole(organizationId: $o, userId: $u, role: $r) { role } }';
const REMOVE_MEMBER = 'mutation($o: ID!, $u: ID!) { removeOrganizationMember(organizationId: $o, userId: $u) }';

/** Issue 11, finding 14: organization, membership and API token changes leave an audit trail. */
describe('audit events for organizations, memberships and API tokens', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('audit-members');
  });
  afterAll(async () => {
    await t.stop();
  });

  async function events(token: string, org: string | null): Promise<AuditNode[]> {
    const d = await t.gql.ok<{ auditEvents: { edges: Array<{ node: AuditNode }> } }>(AUDIT, { org, first: 100 }, token);
    return d.auditEvents.edges.map((e) => e.node).reverse(); // oldest first
  }

  it('creating an organization, adding a member, changing a role and removing members are each recorded once', async () => {
    const owner = await t.createUser();
    const alice = await t.createUser();
    const bob = await t.createUser();
    const org = (await t.gql.ok<{ createOrganization: { id: string } }>('mutation { createOrganization(name: "Acme") { id } }', {}, owner.token))
      .createOrganization.id;
    await t.gql.ok(ADD_MEMBER, { o: org, e: alice.email, r: 'MEMBER' }, owner.token);
    await t.gql.ok(ADD_MEMBER, { o: org, e: bob.email, r: 'MEMBER' }, owner.token);
    // Adding the same user again is CONFLICT and must not leave an event behind.
    const again = await t.gql.request(ADD_MEMBER, { o: org, e: alice.email, r: 'MEMBER' }, owner.token);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await t.gql.ok(CHANGE_ROLE, { o: org, u: alice.id, r: 'ADMIN' }, owner.token);
    await t.gql.ok(CHANGE_ROLE, { o: org, u: alice.id, r: 'ADMIN' }, owner.token); // no change, no event
    await t.gql.ok(REMOVE_MEMBER, { o: org, u: bob.id }, alice.token);
    await t.gql.ok(REMOVE_MEMBER, { o: org, u: alice.id }, alice.token); // leaves by herself

    const trail = await events(owner.token, org);
    expect(trail.map((e) => [e.action, e.actor?.id, e.targetId])).toEqual([
      ['organization.created', owner.id, org],
      ['organization.member_added', owner.id, alice.id],
      ['organization.member_added', owner.id, bob.id],
      ['organization.role_changed', owner.id, alice.id],
      ['organization.member_removed', alice.id, bob.id],
      ['organization.member_removed', alice.id, alice.id],
    ]);
    expect(trail.every((e) => e.organization?.id === org)).toBe(true);
    expect(trail[1]!.detail).toContain(alice.email);
    expect(trail[3]!.detail).toBe('Changed role from MEMBER to ADMIN');
    // None of it lands in anyone's personal trail.
    expect((await events(owner.token, null)).filter((e) => e.action.startsWith('organization.'))).toEqual([]);
  });

  it('creating and revoking an API token is recorded in the user’s personal trail, without the token', async () => {
    const u = await t.createUser();
    const created = await t.gql.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      'mutation { createApiToken(name: "ci") { token apiToken { id } } }',
      {},
      u.token,
    );
    const id = created.createApiToken.apiToken.id;
    await t.gql.ok('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id }, u.token);
    await t.gql.ok('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id }, u.token); // idempotent: one event

    const trail = (await events(u.token, null)).filter((e) => e.action.startsWith('api_token.'));
    expect(trail.map((e) => [e.action, e.targetId])).toEqual([
      ['api_token.created', id],
      ['api_token.revoked', id],
    ]);
    expect(trail.every((e) => e.actor?.id === u.id)).toBe(true);
    const raw = JSON.stringify(await t.app.db.query('SELECT * FROM audit_events'));
    expect(raw).not.toContain(created.createApiToken.token);
    expect(raw).not.toContain(u.token);
    // Another user sees none of it.
    const other = await t.createUser();
    expect((await events(other.token, null)).some((e) => e.targetId === id)).toBe(false);
  });
});
