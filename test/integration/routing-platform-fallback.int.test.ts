import { ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { chatEvents } from '../support/chat';
import { ADD_KEY, SET_ENABLED, mockKeyInput, orgWithRoles, settledStatus } from '../support/keys';
import { mockKey, startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { FAST_VALIDATION_ENV } from '../support/validation-env';

const SONNET = 'anthropic/claude-sonnet-4.5'; // served by ANTHROPIC and BEDROCK
const HELLO = [{ role: 'USER', content: 'Hello' }];

/**
 * "Never the platform key when the owner has any key for the model, whatever `provider` narrows
 * the candidates to" (issue 11, finding 11). The platform has a Bedrock key here, so naming
 * BEDROCK is exactly the request that used to slip past the owner's disabled Anthropic key.
 */
describe('routing: the platform key is never a way around the owner’s own key', () => {
  let mock: MockUpstream;
  let t: TestApp;

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('routing-platform', {
      ...mock.env(),
      ...FAST_VALIDATION_ENV,
      PLATFORM_KEY_BEDROCK: mockKey(ProviderId.BEDROCK, 'good', 'platform'),
    });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  async function addKey(token: string, provider: string, extra: Record<string, unknown> = {}) {
    const { input } = mockKeyInput(provider, 'good', extra);
    const k = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, token)).addByokKey;
    await settledStatus(t, k.id);
    return k;
  }
  const bedrockChats = () => mock.requests.filter((r) => r.provider === ProviderId.BEDROCK && r.endpoint === 'chat').length;
  const codes = (r: { errors: Array<{ extensions?: { code?: string } }> }) => r.errors.map((e) => e.extensions?.code);

  it('a disabled Anthropic key and `provider: BEDROCK`: BYOK_KEY_DISABLED, no upstream call', async () => {
    const u = await t.createUser();
    const a = await addKey(u.token, 'ANTHROPIC');
    await t.gql.ok(SET_ENABLED, { id: a.id, enabled: false }, u.token);
    mock.reset();
    const r = await chatEvents(t, u.token, { model: SONNET, messages: HELLO, provider: 'BEDROCK' });
    expect(codes(r)).toEqual(['BYOK_KEY_DISABLED']);
    expect(r.events).toEqual([]);
    expect(bedrockChats()).toBe(0);
  });

  it('an enabled Anthropic key and `provider: BEDROCK`: NO_KEY_FOR_MODEL naming both, not the platform key', async () => {
    const u = await t.createUser();
    await addKey(u.token, 'ANTHROPIC');
    mock.reset();
    const r = await chatEvents(t, u.token, { model: SONNET, messages: HELLO, provider: 'BEDROCK' });
    expect(codes(r)).toEqual(['NO_KEY_FOR_MODEL']);
    expect(r.errors[0]!.message).toMatch(/no AWS Bedrock key|no Amazon Bedrock key|no .*Bedrock key/i);
    expect(r.errors[0]!.message).toContain('Anthropic');
    expect(bedrockChats()).toBe(0);
  });

  it('the same holds for an organization’s keys, seen by a MEMBER', async () => {
    const o = await orgWithRoles(t);
    const a = await addKey(o.owner.token, 'ANTHROPIC', { organizationId: o.orgId });
    await t.gql.ok(SET_ENABLED, { id: a.id, enabled: false }, o.owner.token);
    mock.reset();
    const r = await chatEvents(t, o.member.token, { model: SONNET, messages: HELLO, provider: 'BEDROCK', organizationId: o.orgId });
    expect(codes(r)).toEqual(['BYOK_KEY_DISABLED']);
    expect(bedrockChats()).toBe(0);
  });

  it('an owner without any key for the model still gets the platform key for the provider they name', async () => {
    const u = await t.createUser();
    await addKey(u.token, 'OPENAI'); // a key, but not for this model
    mock.reset();
    const r = await chatEvents(t, u.token, { model: SONNET, messages: HELLO, provider: 'BEDROCK' });
    expect(r.errors).toEqual([]);
    expect(r.events[0]).toMatchObject({ type: 'START', provider: 'BEDROCK', keySource: 'PLATFORM', keyId: null });
    expect(bedrockChats()).toBe(1);
  });
});
