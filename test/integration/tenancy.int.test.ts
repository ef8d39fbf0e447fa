import { countRows, startTestApp, type TestApp } from '../support/app';

const ADD_MEMBER = `mutation($o: ID!, $e: String!, $r: OrgRole!) {
  addOrganizationMember(organizationId: $o, email: $e, role: $r) { role user { email } organization { id } }
}`;
const REMOVE_MEMBER = 'mutation($o: ID!, $u: ID!) { removeOrganizationMember(organizationId: $o, userId: $u) }';
const CHANGE_ROLE = `mutation($o: ID!, $u: ID!, $r: OrgRole!) {
  updateOrganizationMemberRole(organizationId: $o, userId: $u, role: $r) { role }
}`;
const CREATE_ORG = 'mutation($n: String!) { createOrganization(name: $n) { id name } }';

describe('tenancy: users, organizations, memberships, API tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('tenancy');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('the admin token creates a user whose one-time token works for `me`', async () => {
    const d = await t.gql.ok<{ createUser: { user: { id: string; email: string; name: string }; token: string } }>(
      'mutation { createUser(email: "Ada@Example.com", name: "Ada") { user { id email name } token } }',
      {},
      t.adminToken,
    );
    expect(d.createUser.user).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    expect(d.createUser.token).toMatch(/^byok_/);
    const me = await t.gql.ok<{ me: { id: string } }>('{ me { id email } }', {}, d.createUser.token);
    expect(me.me.id).toBe(d.createUser.user.id);
  });

  it('the admin token can do nothing else, and a user cannot create users', async () => {
    const u = await t.createUser();
    expect(await t.gql.code('{ me { id } }', {}, t.adminToken)).toBe('FORBIDDEN');
    expect(await t.gql.code('mutation { createUser(email: "x@example.com") { token } }', {}, u.token)).toBe('FORBIDDEN');
  });

  it('rejects a malformed or duplicate email and writes nothing', async () => {
    const before = await countRows(t.app, 'users');
    for (const email of ['not-an-email', 'a@b', '', `${'x'.repeat(300)}@example.com`]) {
      expect(await t.gql.code('mutation($e: String!) { createUser(email: $e) { token } }', { e: email }, t.adminToken)).toBe(
        'BAD_USER_INPUT',
      );
    }
    const u = await t.createUser();
    expect(
      await t.gql.code('mutation($e: String!) { createUser(email: $e) { token } }', { e: u.email.toUpperCase() }, t.adminToken),
    ).toBe('CONFLICT');
    expect(await countRows(t.app, 'users')).toBe(before + 1);
  });

  it('missing, unknown, malformed and revoked tokens are UNAUTHENTICATED', async () => {
    expect(await t.gql.code('{ me { id } }')).toBe('UNAUTHENTICATED');
    expect(await t.gql.code('{ me { id } }', {}, 'byok_not-a-real-token')).toBe('UNAUTHENTICATED');
    const u = await t.createUser();
    const created = await t.gql.ok<{ createApiToken: { token: string; apiToken: { id: string; prefix: string } } }>(
      'mutation { createApiToken(name: "ci") { token apiToken { id prefix name createdAt revokedAt } } }',
      {},
      u.token,
    );
    const second = created.createApiToken;
    expect(second.token.startsWith(second.apiToken.prefix)).toBe(true);
    await t.gql.ok('{ me { id } }', {}, second.token);
    const revoked = await t.gql.ok<{ revokeApiToken: { revokedAt: string } }>(
      'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }',
      { id: second.apiToken.id },
      u.token,
    );
    expect(revoked.revokeApiToken.revokedAt).toBeTruthy();
    const r = await t.gql.request('{ me { id } }', {}, second.token);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.errors?.[0]?.message).toMatch(/revoked/);
    // The first token still works, and the listing shows both, without any secret.
    const list = await t.gql.request<{ apiTokens: Array<{ prefix: string; revokedAt: string | null; lastUsedAt: string | null }> }>(
      '{ apiTokens { id name prefix createdAt lastUsedAt revokedAt } }',
      {},
      u.token,
    );
    expect(list.data?.apiTokens).toHaveLength(2);
    expect(list.raw).not.toContain(second.token);
    expect(list.raw).not.toContain(u.token);
    expect(list.data?.apiTokens.some((x) => x.lastUsedAt !== null)).toBe(true);
  });

  it("someone else's token is NOT_FOUND to revoke; a malformed id is BAD_USER_INPUT", async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    const tokens = await t.gql.ok<{ apiTokens: Array<{ id: string }> }>('{ apiTokens { id } }', {}, a.token);
    const id = tokens.apiTokens[0]!.id;
    expect(await t.gql.code('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id }, b.token)).toBe('NOT_FOUND');
    expect(await t.gql.code('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: 'nope' }, b.token)).toBe(
      'BAD_USER_INPUT',
    );
    await t.gql.ok('{ me { id } }', {}, a.token);
  });

  it('validates organization names and writes nothing on rejection', async () => {
    const u = await t.createUser();
    const before = await countRows(t.app, 'organizations');
    const membershipsBefore = await countRows(t.app, 'memberships');
    expect(await t.gql.code(CREATE_ORG, { n: '' }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(CREATE_ORG, { n: '   ' }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(CREATE_ORG, { n: 'x'.repeat(10 * 1024) }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(CREATE_ORG, { n: 'bad\u0000name' }, u.token)).toBe('BAD_USER_INPUT');
    expect(await countRows(t.app, 'organizations')).toBe(before);
    expect(await countRows(t.app, 'memberships')).toBe(membershipsBefore);
  });

  it('membership: roles, duplicates, non-members, the last OWNER', async () => {
    const owner = await t.createUser();
    const admin = await t.createUser();
    const member = await t.createUser();
    const outsider = await t.createUser();
    const org = (await t.gql.ok<{ createOrganization: { id: string } }>(CREATE_ORG, { n: 'Acme' }, owner.token))
      .createOrganization;

    const me = await t.gql.ok<{ me: { organizations: Array<{ role: string; organization: { id: string } }> } }>(
      '{ me { organizations { role organization { id name } } } }',
      {},
      owner.token,
    );
    expect(me.me.organizations).toEqual([{ role: 'OWNER', organization: { id: org.id, name: 'Acme' } }]);

    await t.gql.ok(ADD_MEMBER, { o: org.id, e: admin.email, r: 'ADMIN' }, owner.token);
    await t.gql.ok(ADD_MEMBER, { o: org.id, e: member.email, r: 'MEMBER' }, admin.token);
    const memberships = await countRows(t.app, 'memberships');

    // Unknown role: rejected by the schema, nothing written.
    expect(await t.gql.code(ADD_MEMBER, { o: org.id, e: outsider.email, r: 'EMPEROR' }, owner.token)).toBe('BAD_USER_INPUT');
    // Twice: CONFLICT.
    expect(await t.gql.code(ADD_MEMBER, { o: org.id, e: member.email, r: 'MEMBER' }, owner.token)).toBe('CONFLICT');
    // Unknown email: NOT_FOUND.
    expect(await t.gql.code(ADD_MEMBER, { o: org.id, e: 'nobody@example.com', r: 'MEMBER' }, owner.token)).toBe(
      'NOT_FOUND',
    );
    // A MEMBER cannot add; an ADMIN cannot grant OWNER.
    expect(await t.gql.code(ADD_MEMBER, { o: org.id, e: outsider.email, r: 'MEMBER' }, member.token)).toBe('FORBIDDEN');
    expect(await t.gql.code(ADD_MEMBER, { o: org.id, e: outsider.email, r: 'OWNER' }, admin.token)).toBe('FORBIDDEN');
    // A non-member learns nothing: NOT_FOUND, and `organization` is null.
    expect(await t.gql.code(ADD_MEMBER, { o: org.id, e: outsider.email, r: 'MEMBER' }, outsider.token)).toBe('NOT_FOUND');
    const seen = await t.gql.ok<{ organization: unknown }>('query($id: ID!) { organization(id: $id) { id } }', { id: org.id }, outsider.token);
    expect(seen.organization).toBeNull();
    expect(await countRows(t.app, 'memberships')).toBe(memberships);

    // Members see the member list; another member's other organizations stay hidden.
    const other = (await t.gql.ok<{ createOrganization: { id: string } }>(CREATE_ORG, { n: 'Private' }, member.token))
      .createOrganization;
    const view = await t.gql.ok<{ organization: { members: Array<{ role: string; user: { email: string; organizations: Array<{ organization: { id: string } }> } }> } }>(
      'query($id: ID!) { organization(id: $id) { name members { role user { email organizations { organization { id } } } } } }',
      { id: org.id },
      owner.token,
    );
    expect(view.organization.members.map((m) => m.role).sort()).toEqual(['ADMIN', 'MEMBER', 'OWNER']);
    const memberView = view.organization.members.find((m) => m.user.email === member.email)!;
    expect(memberView.user.organizations.map((o) => o.organization.id)).toEqual([org.id]);
    expect(JSON.stringify(view)).not.toContain(other.id);

    // Removing a non-member: NOT_FOUND. Removing the last OWNER or demoting it: CONFLICT.
    expect(await t.gql.code(REMOVE_MEMBER, { o: org.id, u: outsider.id }, owner.token)).toBe('NOT_FOUND');
    expect(await t.gql.code(REMOVE_MEMBER, { o: org.id, u: owner.id }, owner.token)).toBe('CONFLICT');
    expect(await t.gql.code(CHANGE_ROLE, { o: org.id, u: owner.id, r: 'ADMIN' }, owner.token)).toBe('CONFLICT');
    expect(await t.gql.code(REMOVE_MEMBER, { o: org.id, u: owner.id }, admin.token)).toBe('FORBIDDEN');
    expect(await countRows(t.app, 'memberships')).toBe(memberships + 1);

    // With a second OWNER, the first may step down.
    await t.gql.ok(CHANGE_ROLE, { o: org.id, u: admin.id, r: 'OWNER' }, owner.token);
    await t.gql.ok(CHANGE_ROLE, { o: org.id, u: owner.id, r: 'MEMBER' }, admin.token);
    // A member may leave; an admin removes a member.
    await t.gql.ok(REMOVE_MEMBER, { o: org.id, u: member.id }, admin.token);
    expect(await t.gql.ok(REMOVE_MEMBER, { o: org.id, u: owner.id }, owner.token)).toEqual({ removeOrganizationMember: true });
    const after = await t.gql.ok<{ organization: { members: Array<{ role: string }> } }>(
      'query($id: ID!) { organization(id: $id) { members { role } } }',
      { id: org.id },
      admin.token,
    );
    expect(after.organization.members).toEqual([{ role: 'OWNER' }]);
  });

  it('a malformed organization id is BAD_USER_INPUT for mutations and null for the query', async () => {
    const u = await t.createUser();
    expect(await t.gql.code(ADD_MEMBER, { o: 'org-1', e: u.email, r: 'MEMBER' }, u.token)).toBe('BAD_USER_INPUT');
    const r = await t.gql.ok<{ organization: unknown }>('{ organization(id: "zzz") { id } }', {}, u.token);
    expect(r.organization).toBeNull();
  });
});
