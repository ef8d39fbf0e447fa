import { randomUUID } from 'node:crypto';
import { ProviderId } from '../../src/providers/types';
import { countRows, startTestApp, type TestApp } from '../support/app';
import { ADD_KEY, AUDIT, DELETE_KEY, GET_KEY, LIST_KEYS, SET_ENABLED, UPDATE_KEY, addKey, orgWithRoles } from '../support/keys';
import { mockAwsCredentials, mockKey } from '../support/mock-upstream';

type Outcome = 'ok' | 'NOT_FOUND' | 'FORBIDDEN' | 'null';

describe('BYOK keys: who may do what, and bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('keyaccess');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('role matrix: each operation × owner, admin, billing manager, member, non-member, other user', async () => {
    const o = await orgWithRoles(t);
    const other = await t.createUser();
    const personal = await addKey(t, other.token, { provider: 'OPENAI', apiKey: mockKey(ProviderId.OPENAI, 'good') });
    const roles = { owner: o.owner, admin: o.admin, billing: o.billing, member: o.member, outsider: o.outsider };
    const managers = ['owner', 'admin', 'billing'];
    const expectFor = (role: string, manage: boolean): Outcome =>
      role === 'outsider' ? 'NOT_FOUND' : manage && !managers.includes(role) ? 'FORBIDDEN' : 'ok';
    const outcome = async (query: string, vars: Record<string, unknown>, token: string, field: string): Promise<Outcome> => {
      const r = await t.gql.request<Record<string, unknown>>(query, vars, token);
      if (r.errors?.length) return r.errors[0]!.extensions!.code as Outcome;
      return r.data?.[field] === null ? 'null' : 'ok';
    };

    // add: one provider per role so successes do not collide.
    const providers = [ProviderId.ANTHROPIC, ProviderId.MISTRAL, ProviderId.XAI, ProviderId.ZAI, ProviderId.MOONSHOTAI];
    const keyIds: string[] = [];
    const results: Record<string, Record<string, Outcome>> = {};
    for (const [i, [name, u]] of Object.entries(roles).entries()) {
      const p = providers[i]!;
      const r = await t.gql.request<{ addByokKey: { id: string } }>(
        ADD_KEY,
        { input: { organizationId: o.orgId, provider: p, apiKey: mockKey(p, 'good') } },
        u.token,
      );
      (results[name] ??= {}).add = (r.errors?.[0]?.extensions?.code as Outcome) ?? 'ok';
      if (r.data?.addByokKey) keyIds.push(r.data.addByokKey.id);
    }
    expect(keyIds).toHaveLength(3);
    const orgKey = keyIds[0]!;

    for (const [name, u] of Object.entries(roles)) {
      const r = results[name]!;
      r.list = await outcome(LIST_KEYS, { org: o.orgId }, u.token, 'byokKeys');
      r.get = await outcome(GET_KEY, { id: orgKey }, u.token, 'byokKey');
      r.update = await outcome(UPDATE_KEY, { input: { id: orgKey, apiKey: mockKey(ProviderId.ANTHROPIC, 'good') } }, u.token, 'updateByokKey');
      r.enable = await outcome(SET_ENABLED, { id: orgKey, enabled: name === 'member' }, u.token, 'setByokKeyEnabled');
      r.audit = await outcome(AUDIT, { org: o.orgId }, u.token, 'auditEvents');
      r.otherUsersKey = await outcome(GET_KEY, { id: personal.id }, u.token, 'byokKey');
      r.updateOtherUsersKey = await outcome(UPDATE_KEY, { input: { id: personal.id, apiKey: mockKey(ProviderId.OPENAI, 'good') } }, u.token, 'updateByokKey');
      r.deleteOtherUsersKey = await outcome(DELETE_KEY, { id: personal.id }, u.token, 'deleteByokKey');
    }
    // delete last: each manager deletes one of the keys; member and outsider try the remaining one.
    for (const [name, u] of Object.entries(roles)) {
      const target = managers.includes(name) ? keyIds[managers.indexOf(name)]! : keyIds[2]!;
      if (!managers.includes(name)) results[name]!.delete = await outcome(DELETE_KEY, { id: target }, u.token, 'deleteByokKey');
    }
    for (const name of managers) {
      results[name]!.delete = await outcome(DELETE_KEY, { id: keyIds[managers.indexOf(name)]! }, roles[name as 'owner'].token, 'deleteByokKey');
    }

    const expected: Record<string, Record<string, Outcome>> = {};
    for (const name of Object.keys(roles)) {
      expected[name] = {
        add: expectFor(name, true),
        list: expectFor(name, false),
        get: name === 'outsider' ? 'null' : 'ok',
        update: expectFor(name, true),
        enable: expectFor(name, true),
        audit: expectFor(name, true),
        otherUsersKey: 'null',
        updateOtherUsersKey: 'NOT_FOUND',
        deleteOtherUsersKey: 'NOT_FOUND',
        delete: expectFor(name, true),
      };
    }
    expect(results).toEqual(expected);
    // The other user's own view is untouched.
    const mine = await t.gql.ok<{ byokKeys: Array<{ id: string }> }>(LIST_KEYS, {}, other.token);
    expect(mine.byokKeys.map((k) => k.id)).toEqual([personal.id]);
    // Personal listing never includes organization keys.
    const ownerPersonal = await t.gql.ok<{ byokKeys: unknown[] }>(LIST_KEYS, {}, o.owner.token);
    expect(ownerPersonal.byokKeys).toEqual([]);
  });

  it('rejects bad input with BAD_USER_INPUT / NOT_FOUND, leaving no row and no audit event', async () => {
    const u = await t.createUser();
    const keys = await countRows(t.app, 'byok_keys');
    const audits = await countRows(t.app, 'audit_events');
    const good = mockKey(ProviderId.OPENAI, 'good');
    const aws = mockAwsCredentials('good');
    const cases: Array<[string, Record<string, unknown>, string, RegExp?]> = [
      ['unknown provider', { provider: 'OPENROUTER', apiKey: good }, 'BAD_USER_INPUT'],
      ['both credential fields', { provider: 'OPENAI', apiKey: good, awsCredentials: aws }, 'BAD_USER_INPUT', /exactly one/],
      ['neither credential field', { provider: 'OPENAI' }, 'BAD_USER_INPUT', /exactly one/],
      ['awsCredentials for an API key provider', { provider: 'OPENAI', awsCredentials: aws }, 'BAD_USER_INPUT'],
      ['apiKey of 1 byte', { provider: 'OPENAI', apiKey: 'x' }, 'BAD_USER_INPUT', /too short/],
      ['apiKey of 100 KB', { provider: 'OPENAI', apiKey: 'k'.repeat(100 * 1024) }, 'BAD_USER_INPUT', /too long/],
      ['apiKey with a newline inside', { provider: 'OPENAI', apiKey: `${good.slice(0, 10)}\n${good.slice(10)}` }, 'BAD_USER_INPUT', /line breaks/],
      ['Bedrock plain string', { provider: 'BEDROCK', apiKey: good }, 'BAD_USER_INPUT', /AWS credentials/],
      ['bad region', { provider: 'BEDROCK', awsCredentials: { ...aws, region: 'moon-base-1a' } }, 'BAD_USER_INPUT', /region/],
      ['bad access key id', { provider: 'BEDROCK', awsCredentials: { ...aws, accessKeyId: 'akia-lower' } }, 'BAD_USER_INPUT', /accessKeyId/],
      ['unknown organization', { organizationId: randomUUID(), provider: 'OPENAI', apiKey: good }, 'NOT_FOUND'],
      ['malformed organization id', { organizationId: 'org_123', provider: 'OPENAI', apiKey: good }, 'BAD_USER_INPUT'],
    ];
    for (const field of ['accessKeyId', 'secretAccessKey', 'region'] as const) {
      const partial: Record<string, string> = { ...aws };
      delete partial[field];
      cases.push([`Bedrock JSON missing ${field}`, { provider: 'BEDROCK', apiKey: JSON.stringify(partial) }, 'BAD_USER_INPUT', new RegExp(`apiKey\\.${field} is missing`)]);
      cases.push([`awsCredentials missing ${field}`, { provider: 'BEDROCK', awsCredentials: partial }, 'BAD_USER_INPUT']);
    }
    const seen: Record<string, string> = {};
    const wanted: Record<string, string> = {};
    for (const [name, input, code, message] of cases) {
      const r = await t.gql.request(ADD_KEY, { input }, u.token);
      seen[name] = `${r.errors?.[0]?.extensions?.code}${message && !message.test(r.errors?.[0]?.message ?? '') ? ` (message: ${r.errors?.[0]?.message})` : ''}`;
      wanted[name] = code;
      // The error never echoes a secret.
      expect(r.raw).not.toContain(good);
      expect(r.raw).not.toContain(aws.secretAccessKey);
    }
    expect(seen).toEqual(wanted);
    expect(await countRows(t.app, 'byok_keys')).toBe(keys);
    expect(await countRows(t.app, 'audit_events')).toBe(audits);
  });

  it('bad input on update, enable and delete changes nothing', async () => {
    const u = await t.createUser();
    const k = await addKey(t, u.token, { provider: 'GOOGLE', apiKey: mockKey(ProviderId.GOOGLE, 'good') });
    const before = JSON.stringify(await t.app.db.query('SELECT * FROM byok_keys WHERE id = $1', [k.id]));
    const audits = await countRows(t.app, 'audit_events');
    expect(await t.gql.code(UPDATE_KEY, { input: { id: k.id, apiKey: 'short' } }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(UPDATE_KEY, { input: { id: k.id } }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(UPDATE_KEY, { input: { id: 'nope', apiKey: mockKey(ProviderId.GOOGLE, 'good') } }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(UPDATE_KEY, { input: { id: randomUUID(), apiKey: mockKey(ProviderId.GOOGLE, 'good') } }, u.token)).toBe('NOT_FOUND');
    expect(await t.gql.code(SET_ENABLED, { id: 'nope', enabled: false }, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code(DELETE_KEY, { id: randomUUID() }, u.token)).toBe('NOT_FOUND');
    expect(JSON.stringify(await t.app.db.query('SELECT * FROM byok_keys WHERE id = $1', [k.id]))).toBe(before);
    expect(await countRows(t.app, 'audit_events')).toBe(audits);
  });
});
