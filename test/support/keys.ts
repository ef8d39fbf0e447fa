import type { TestApp } from './app';
import { mockAwsCredentials, mockKey } from './mock-upstream';
import { waitFor } from './wait';

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

/** The add-key input for `provider` with a mock key of `scenario` (Bedrock: AWS credentials). */
export function mockKeyInput(
  provider: string,
  scenario: Parameters<typeof mockKey>[1],
  extra: Record<string, unknown> = {},
): { input: Record<string, unknown>; secret: string } {
  if (provider === 'BEDROCK') {
    const creds = mockAwsCredentials(scenario);
    return { input: { provider, awsCredentials: creds, ...extra }, secret: creds.secretAccessKey };
  }
  const apiKey = mockKey(provider as Parameters<typeof mockKey>[0], scenario);
  return { input: { provider, apiKey, ...extra }, secret: apiKey };
}

/** Waits until the key's status is no longer PENDING, reading the database. */
export async function settledStatus(t: TestApp, keyId: string, timeoutMs = 20_000): Promise<string> {
  return waitFor(async () => {
    const rows = (await t.app.db.query('SELECT status FROM byok_keys WHERE id = $1', [keyId])) as Array<{ status: string }>;
    const s = rows[0]?.status;
    return s && s !== 'PENDING' ? s : undefined;
  }, `key ${keyId} to leave PENDING`, timeoutMs);
}

/** Waits until no validation job of the key is QUEUED, RUNNING or RETRYING. */
export async function jobsSettled(t: TestApp, keyId: string, timeoutMs = 20_000): Promise<Array<Record<string, unknown>>> {
  let last: unknown[] = [];
  try {
    return await waitFor(async () => {
      const rows = (await t.app.db.query(
        'SELECT id, trigger, outcome, attempts, http_status, error, secret_version, provider, finished_at FROM validation_jobs WHERE key_id = $1 ORDER BY queued_at',
        [keyId],
      )) as Array<Record<string, unknown>>;
      last = rows;
      return rows.length > 0 && rows.every((r) => !['QUEUED', 'RUNNING', 'RETRYING'].includes(r.outcome as string)) ? rows : undefined;
    }, `validation jobs of ${keyId} to finish`, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; rows: ${JSON.stringify(last)}`);
  }
}
