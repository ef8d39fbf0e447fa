import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ProviderId } from '../../src/providers/types';
import { openAiRoutes } from '../../src/rest/openai/openai-routes';
import { startTestApp, type TestApp } from '../support/app';
import { SET_ENABLED, orgWithRoles } from '../support/keys';
import { mockKey, startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { addSettledKey, restCall } from '../support/rest';
import { leakedSecrets } from '../support/secret-scan';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const GPT = 'openai/gpt-5.4-mini';
const SONNET = 'anthropic/claude-sonnet-4.5';
const HELLO = [{ role: 'user', content: 'Hello' }];

type Completion = { provider: string; choices: Array<{ message: { content: string } }> };
type ErrorBody = { error: { message: string; type: string; code: string; param: string | null } };

/** Routing, auth and errors through the REST door, raw HTTP: what any client sees. */
describe('REST door: routing matrix, errors, streams', () => {
  let mock: MockUpstream;
  let t: TestApp;
  const platformKey = mockKey(ProviderId.OPENAI, 'good', 'platform');
  const secrets: string[] = [platformKey];

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('rest-routing', { ...mock.env(), ...FAST_VALIDATION_ENV, PLATFORM_KEY_OPENAI: platformKey });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  const chat = (token: string, body: Record<string, unknown>, headers: Record<string, string> = {}, path = '/v1/chat/completions') =>
    restCall(t, path, { token, body: { model: GPT, messages: HELLO, ...body }, headers });
  const platformKeySent = () => mock.requests.some((r) => JSON.stringify(r.headers).includes(platformKey));
  const usageRows = (requestId: string) =>
    waitFor(async () => {
      const r = (await t.app.db.query('SELECT * FROM usage_records WHERE request_id = $1', [requestId])) as Array<Record<string, unknown>>;
      return r.length ? r : undefined;
    }, 'the usage record');

  it('personal keys without the org header; the organization’s with X-Organization-Id or X-KiloCode-OrganizationId; a non-member gets 404', async () => {
    const o = await orgWithRoles(t);
    const personal = await addSettledKey(t, o.member.token, 'OPENAI');
    const orgKey = await addSettledKey(t, o.owner.token, 'OPENAI', 'good', { organizationId: o.orgId });
    secrets.push(personal.secret, orgKey.secret);
    const mine = await chat(o.member.token, {});
    expect(mine.status).toBe(200);
    expect(mine.headers).toMatchObject({ 'x-byok-key-id': personal.id, 'x-byok-key-source': 'BYOK', 'x-byok-provider': 'OPENAI' });
    expect(mine.headers['x-byok-key-hint']).toBe(personal.hint.replace('…', '...'));
    for (const header of ['x-organization-id', 'x-kilocode-organizationid']) {
      const viaOrg = await chat(o.member.token, {}, { [header]: o.orgId });
      expect(viaOrg.headers['x-byok-key-id']).toBe(orgKey.id);
      const [row] = await usageRows(viaOrg.headers['x-request-id']!);
      expect(row).toMatchObject({ organization_id: o.orgId, user_id: o.member.id, key_id: orgKey.id, status: 'SUCCEEDED' });
    }
    const outsider = await chat(o.outsider.token, {}, { 'x-organization-id': o.orgId });
    expect(outsider.status).toBe(404);
    expect((outsider.json() as ErrorBody).error.code).toBe('not_found');
    // Model lists follow the same context: the org's Anthropic key lists Claude only with the header.
    const orgClaude = await addSettledKey(t, o.owner.token, 'ANTHROPIC', 'good', { organizationId: o.orgId });
    secrets.push(orgClaude.secret);
    const ids = async (headers: Record<string, string>) =>
      ((await restCall(t, '/api/openrouter/models', { token: o.member.token, headers })).json() as { data: Array<{ id: string }> }).data.map((m) => m.id);
    expect(await ids({})).not.toContain(SONNET);
    expect(await ids({ 'x-kilocode-organizationid': o.orgId })).toContain(SONNET);
    expect((await restCall(t, '/v1/models', { token: o.outsider.token, headers: { 'x-organization-id': o.orgId } })).status).toBe(404);
  });

  it('a bad owner key never falls back to the platform key: 403 byok_key_invalid naming the provider and the key hint', async () => {
    const u = await t.createUser();
    const bad = await addSettledKey(t, u.token, 'OPENAI', 'bad');
    secrets.push(bad.secret);
    const r = await chat(u.token, {});
    expect(r.status).toBe(403);
    const { error } = r.json() as ErrorBody;
    expect(error.code).toBe('byok_key_invalid');
    expect(error.message).toContain('OpenAI');
    expect(error.message).toContain(bad.hint);
    expect(platformKeySent()).toBe(false);
    // Disabled: same, never the platform key; and the model is not listed as usable.
    const d = await t.createUser();
    const off = await addSettledKey(t, d.token, 'OPENAI');
    secrets.push(off.secret);
    await t.gql.ok(SET_ENABLED, { id: off.id, enabled: false }, d.token);
    const r2 = await chat(d.token, {});
    expect([r2.status, (r2.json() as ErrorBody).error.code]).toEqual([403, 'byok_key_disabled']);
    const models = (await restCall(t, '/v1/models', { token: d.token })).json() as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).not.toContain(GPT);
    expect(platformKeySent()).toBe(false);
  });

  it('the platform key only when the owner has no key for the model', async () => {
    const u = await t.createUser();
    const r = await chat(u.token, {});
    expect(r.status).toBe(200);
    expect(r.headers['x-byok-key-source']).toBe('PLATFORM');
    expect(r.headers['x-byok-key-id']).toBeUndefined();
    expect(platformKeySent()).toBe(true);
    const model = ((await restCall(t, `/v1/models/${GPT}`, { token: u.token })).json() as { key_source: string; pricing: { prompt: string } });
    expect(model).toMatchObject({ key_source: 'PLATFORM', pricing: { prompt: expect.stringMatching(/^0\.\d+$/) } });
    // No key and no platform key for Claude: 403 no_key_for_model.
    const none = await chat(u.token, { model: SONNET });
    expect([none.status, (none.json() as ErrorBody).error.code]).toEqual([403, 'no_key_for_model']);
  });

  it('errors: 400 with the param, 401 bad token, 403 admin token, 404 unknown model, 429, 502; nothing billed for rejected input', async () => {
    const u = await t.createUser();
    const malformed = await restCall(t, '/v1/chat/completions', { token: u.token, body: '{"model":' });
    expect(malformed.status).toBe(400);
    expect((malformed.json() as ErrorBody).error).toMatchObject({ type: 'invalid_request_error', code: 'bad_user_input', param: 'body' });
    const badField = await chat(u.token, { temperature: 'hot' });
    expect([badField.status, (badField.json() as ErrorBody).error.param]).toEqual([400, 'temperature']);
    const unknownFields = await chat(u.token, { frobnicate: true, textVerbosity: 'low', metadata: { a: 1 } });
    expect(unknownFields.status).toBe(200);
    expect((await chat('byok_nope', {})).status).toBe(401);
    expect((await restCall(t, '/v1/chat/completions', { body: { model: GPT, messages: HELLO } })).status).toBe(401);
    expect((await chat(t.adminToken, {})).status).toBe(403);
    const unknown = await chat(u.token, { model: 'nobody/knows' });
    expect([unknown.status, (unknown.json() as ErrorBody).error.code]).toEqual([404, 'model_not_found']);
    // Only the one request that was routed (unknown fields ignored) has a usage record.
    await usageRows(unknownFields.headers['x-request-id']!);
    expect(await t.app.db.query('SELECT count(*)::int AS n FROM usage_records WHERE user_id = $1', [u.id])).toEqual([{ n: 1 }]);

    const limited = await t.createUser();
    secrets.push((await addSettledKey(t, limited.token, 'OPENAI', 'ratelimited')).secret);
    const r429 = await chat(limited.token, {});
    expect(r429.status).toBe(429);
    expect((r429.json() as ErrorBody).error.code).toBe('upstream_rate_limited');
    const broken = await t.createUser();
    secrets.push((await addSettledKey(t, broken.token, 'OPENAI', 'server-error')).secret);
    const r502 = await chat(broken.token, { stream: true });
    expect(r502.status).toBe(502);
    expect((r502.json() as ErrorBody).error.code).toBe('upstream_error');
  });

  it('a mid-stream failure: one error chunk with finish_reason "error", no [DONE]; usage FAILED', async () => {
    const u = await t.createUser();
    secrets.push((await addSettledKey(t, u.token, 'OPENAI', 'midstream-error')).secret);
    const r = await chat(u.token, { stream: true }, {}, '/api/gateway/chat/completions');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    const frames = r.text.split('\n\n').filter(Boolean);
    const last = JSON.parse(frames[frames.length - 1]!.replace(/^data: /, '')) as { error: { code: string }; choices: Array<{ finish_reason: string }> };
    expect(last.error.code).toBe('upstream_error');
    expect(last.choices[0]!.finish_reason).toBe('error');
    expect(r.text).not.toContain('[DONE]');
    const [row] = await usageRows(r.headers['x-request-id']!);
    expect(row).toMatchObject({ status: 'FAILED', error_code: 'UPSTREAM_ERROR' });
  });

  it('Kilo Gateway paths: /api/user, and completions under /api/openrouter with the provider in the body', async () => {
    const u = await t.createUser();
    secrets.push((await addSettledKey(t, u.token, 'OPENAI')).secret);
    const me = await restCall(t, '/api/user', { token: u.token, headers: { 'x-kilocode-version': '5.0.0', 'x-kilocode-tester': 'true' } });
    expect(me.json()).toEqual({ id: u.id, email: u.email, name: null });
    expect((await restCall(t, '/api/user', {})).status).toBe(401);
    const r = await chat(u.token, {}, { 'x-kilocode-taskid': 'task-1' }, '/api/openrouter/chat/completions');
    expect(r.status).toBe(200);
    expect((r.json() as Completion).provider).toBe('OpenAI');
    expect((r.json() as Completion).choices[0]!.message.content).toBe('Bonjour — ça va ? 👋');
  });

  it('keep-alive comments while the provider is silent; the client leaving aborts upstream at once', async () => {
    const u = await t.createUser();
    secrets.push((await addSettledKey(t, u.token, 'OPENAI')).secret);
    // The real services behind a second server whose keep-alive interval is short enough to observe.
    const app = express().use(openAiRoutes({ services: t.app.services!, logger: t.app.logger, maxBodyBytes: 1 << 20, keepAliveMs: 100 }));
    const server: Server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      mock.setSyntheticStream({ deltas: 3, intervalMs: 700 });
      const controller = new AbortController();
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: GPT, messages: HELLO, stream: true }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes(': keep-alive\n\n')) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended without a keep-alive comment: ${text}`);
        text += new TextDecoder().decode(value);
      }
      // Sent during the silence after the first delta, before the provider's next one.
      expect(text.indexOf(': keep-alive')).toBeGreaterThan(text.indexOf('"role":"assistant"'));
      // The key headers came with the stream's headers, before any delta.
      expect(res.headers.get('x-byok-provider')).toBe('OPENAI');
      const stoppedAt = Date.now();
      controller.abort();
      const upstream = await mock.waitForRequest((r) => r.endpoint === 'chat' && r.clientClosedEarly, 3000);
      expect(upstream.finished).toBe(false);
      expect(Date.now() - stoppedAt).toBeLessThan(1000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('REST traffic is labelled in the HTTP metrics (one label for every model id)', async () => {
    const u = await t.createUser();
    await restCall(t, `/v1/models/${GPT}`, { token: u.token });
    await restCall(t, `/api/openrouter/models/${SONNET}`, { token: u.token });
    const metrics = (await restCall(t, '/metrics')).text;
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/v1\/chat\/completions"[^}]*status="200"\}/);
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/api\/openrouter\/chat\/completions"/);
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/v1\/models\/\{id\}"/);
    expect(metrics).not.toContain(GPT);
  });

  it('a client idle for 6 s between turns reuses its keep-alive connection (the server does not close it at 5 s)', async () => {
    const u = await t.createUser();
    const agent = new Agent({ keepAlive: true });
    const port = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request(`${t.url}/api/user`, { agent, headers: { authorization: `Bearer ${u.token}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.socket!.localPort!));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const first = await port();
      await new Promise((r) => setTimeout(r, 6000));
      expect(await port()).toBe(first);
    } finally {
      agent.destroy();
    }
  }, 20_000);

  it('no secret in any response body, header or log line', () => {
    expect(leakedSecrets(t.gql.transcript.join('\n') + t.logs.text(), secrets)).toEqual([]);
  });
});
