import type { TestApp } from './app';

export const ADD_KEY = `mutation($input: AddByokKeyInput!) {
  addByokKey(input: $input) {
    id hint enabled status lastError lastValidatedAt lastUsedAt createdAt updatedAt
    provider { id slug name kind dialect credentialFormat }
    organization { id } user { id } createdBy { id }
  }
}`;

export const UPDATE_KEY = `mutation($input: UpdateByokKeyInput!) { updateByokKey(input: $input) { id hint status } }`;
export const SET_ENABLED = `mutation($id: ID!, $enabled: Boolean!) { setByokKeyEnabled(id: $id, enabled: $enabled) { id enabled } }`;
export const DELETE_KEY = `mutation($id: ID!) { deleteByokKey(id: $id) }`;
export const LIST_KEYS = `query($org: ID) { byokKeys(organizationId: $org) { id hint enabled status provider { id } organization { id } user { id } } }`;
export const GET_KEY = `query($id: ID!) { byokKey(id: $id) { id hint status enabled } }`;
export const AUDIT = `query($org: ID, $first: Int, $after: String) {
  auditEvents(organizationId: $org, first: $first, after: $after) {
    edges { cursor node { id action actor { id } organization { id } targetId provider detail createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface AddedKey {
  id: string;
  hint: string;
  status: string;
}

/** Adds a key through the API and returns it (throws on GraphQL errors). */
export async function addKey(
  t: TestApp,
  token: string,
  input: Record<string, unknown>,
): Promise<AddedKey> {
  const d = await t.gql.ok<{ addByokKey: AddedKey }>(ADD_KEY, { input }, token);
  return d.addByokKey;
}

/** An organization with one user per role, plus an outsider, all created through the API. */
export async function orgWithRoles(t: TestApp): Promise<{
  orgId: string;
  owner: { id: string; token: string; email: string };
  admin: { id: string; token: string; email: string };
  billing: { id: string; token: string; email: string };
  member: { id: string; token: string; email: string };
  outsider: { id: string; token: string; email: string };
}> {
  const owner = await t.createUser();
  const admin = await t.createUser();
  const billing = await t.createUser();
  const member = await t.createUser();
  const outsider = await t.createUser();
  const org = await t.gql.ok<{ createOrganization: { id: string } }>(
    'mutation { createOrganization(name: "Org") { id } }',
    {},
    owner.token,
  );
  const orgId = org.createOrganization.id;
  for (const [u, role] of [
    [admin, 'ADMIN'],
    [billing, 'BILLING_MANAGER'],
    [member, 'MEMBER'],
  ] as const) {
    await t.gql.ok(
      'mutation($o: ID!, $e: String!, $r: OrgRole!) { addOrganizationMember(organizationId: $o, email: $e, role: $r) { role } }',
      { o: orgId, e: u.email, r: role },
      owner.token,
    );
  }
  return { orgId, owner, admin, billing, member, outsider };
}
