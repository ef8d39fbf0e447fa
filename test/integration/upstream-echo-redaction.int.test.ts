import { startTestApp, type TestApp } from '../support/app';
import { chatEvents } from '../support/chat';
import { ADD_KEY, jobsSettled, orgWithRoles } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { FAST_VALIDATION_ENV } from '../support/validation-env';

const HELLO = [{ role: 'USER', content: 'Hello' }];
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Letters only, `$`-separated: nothing the pattern redaction recognises as a key. */
function digitlessSecret(prefix: string): string {
  const word = () => Array.from({ length: 14 }, () => LETTERS[Math.floor(Math.random() * LETTERS.length)]).join('');
  return `${prefix}${word()}$${word()}$${word()}`;
}

/** The forms an upstream may quote a secret in, plus its middle (a partial leak counts). */
function formsOf(secret: string): string[] {
  const b64 = Buffer.from(secret).toString('base64');
  const middle = secret.slice(Math.floor(secret.length / 3), Math.floor((2 * secret.length) / 3));
  return [secret, b64, b64.replace(/=+$/, ''), Buffer.from(secret).toString('base64url'), encodeURIComponent(secret), middle];
}

/** What the upstream answers: the secret raw, base64 and URL-encoded. */
function echo(secret: string): string {
  return `Incorrect API key provided: ${secret}. Basic ${Buffer.from(secret).toString('base64')} key=${encodeURIComponent(secret)}`;
}

/**
 * Issue 11, finding 5: an upstream 400/422/500 body that quotes the key must never bring it back,
 * whatever the key looks like: the exact secret sent is scrubbed (raw, base64, URL-encoded) from
 * every upstream text before it reaches an error, a log line or a validation row. Seen by an
 * organization MEMBER using the organization's keys.
 */
describe('upstream errors that echo the key', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let o: Awaited<ReturnType<typeof orgWithRoles>>;
  const secrets: string[] = [];
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('echo-redaction', { ...mock.env(), ...FAST_VALIDATION_ENV });
    o = await orgWithRoles(t);
    const aws = {
      accessKeyId: 'AKIAGOODABCDEFGHIJKL',
      secretAccessKey: digitlessSecret(''),
      sessionToken: digitlessSecret('tok$'),
      region: 'us-east-1',
    };
    secrets.push(aws.secretAccessKey, aws.sessionToken);
    // Every upstream text quotes the key it was given (SigV4 never sends the AWS secret, so the
    // AWS answers quote the secret and token the way a leaky proxy would).
    mock.setEchoError({
      status: 400,
      message: (presented) => (presented.startsWith('AKIA') ? `${echo(aws.secretAccessKey)} token ${echo(aws.sessionToken)}` : echo(presented)),
    });
    const inputs: Array<[string, Record<string, unknown>]> = [
      ['OPENAI', { apiKey: digitlessSecret('sk-proj-') }],
      ['ANTHROPIC', { apiKey: digitlessSecret('sk-ant-') }],
      ['GOOGLE', { apiKey: digitlessSecret('AIza') }],
      ['BEDROCK', { awsCredentials: aws }],
    ];
    for (const [provider, credential] of inputs) {
      if (typeof credential.apiKey === 'string') secrets.push(credential.apiKey);
      const input = { provider, organizationId: o.orgId, ...credential };
      keys[provider] = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, o.owner.token)).addByokKey.id;
    }
    // Validation ran against the echoing upstream (400 until the attempts ran out).
    for (const id of Object.values(keys)) await jobsSettled(t, id);
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  function leaks(haystack: string): string[] {
    return secrets.flatMap((s) => formsOf(s).filter((f) => haystack.includes(f)).map((f) => `${s.slice(0, 10)}… as ${f.slice(0, 12)}…`));
  }

  it('validation rows and the key’s lastError never hold the key, in any form', async () => {
    const rows = await t.app.db.query('SELECT error FROM validation_jobs');
    const lastErrors = await t.app.db.query('SELECT last_error FROM byok_keys');
    expect(leaks(JSON.stringify(rows))).toEqual([]);
    expect(leaks(JSON.stringify(lastErrors))).toEqual([]);
    const seen = await t.gql.ok('query($org: ID) { byokKeys(organizationId: $org) { id status lastError validationJobs { edges { node { error } } } } }', { org: o.orgId }, o.member.token);
    expect(leaks(JSON.stringify(seen))).toEqual([]);
  });

  it.each([400, 422, 500])('a %i that quotes the key reaches the MEMBER as an error without it', async (status) => {
    mock.setEchoError({
      status,
      message: (presented) => (presented.startsWith('AKIA') ? `${echo(secrets[0]!)} token ${echo(secrets[1]!)}` : echo(presented)),
    });
    const requests: Array<[string, string]> = [
      ['openai/gpt-5.4-mini', 'OPENAI'],
      ['anthropic/claude-sonnet-4.5', 'ANTHROPIC'],
      ['google/gemini-2.5-flash', 'GOOGLE'],
      ['anthropic/claude-sonnet-4.5', 'BEDROCK'],
    ];
    for (const [model, provider] of requests) {
      const r = await chatEvents(t, o.member.token, { model, provider, messages: HELLO, organizationId: o.orgId });
      expect(r.errors.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
      expect(leaks(JSON.stringify(r))).toEqual([]);
      // The HTTP dialects quote the provider's message: the echo did arrive, scrubbed.
      if (provider !== 'BEDROCK') expect(r.errors[0]!.message).toContain('[REDACTED]');
    }
  });

  it('no log line, usage row or audit event holds the key', async () => {
    expect(leaks(t.logs.text())).toEqual([]);
    expect(leaks(JSON.stringify(await t.app.db.query('SELECT * FROM usage_records')))).toEqual([]);
    expect(leaks(JSON.stringify(await t.app.db.query('SELECT * FROM audit_events')))).toEqual([]);
    expect(leaks(t.gql.transcript.join('\n'))).toEqual([]);
  });
});
