/**
 * The Anthropic Messages door end to end, driven by the official `@anthropic-ai/sdk` against the
 * running service and the mock upstream: Claude models pass through to Anthropic, OpenAI and
 * Gemini models are translated both ways (tool calls out, tool results back in).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import Anthropic from '@anthropic-ai/sdk';
import { createCatalog } from '../../src/catalog/catalog';
import { ProviderId } from '../../src/providers/types';
import { anthropicRoutes } from '../../src/rest/anthropic/anthropic-routes';
import { startTestApp, type TestApp } from '../support/app';
import { addKey, mockKeyInput } from '../support/keys';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../support/mock-upstream';
import { leakedSecrets } from '../support/secret-scan';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

/**
 * One short tool-use turn per dialect (text, one call; Anthropic also thinking with a signature and
 * cache usage), served for every chat request: the mock answers requests declaring tools from
 * `tools/<dialect>-turn{1,2}` and the rest from `file`; the second turn is the same stream, since
 * these tests check what reaches the provider on it.
 */
const UPSTREAM = path.resolve(__dirname, '../fixtures/rest/anthropic/upstream');
const PROVIDERS = '../../../providers';
const catalog = createCatalog();
const OPENAI_MODEL = catalog.list(ProviderId.OPENAI)[0]!;
const GEMINI_MODEL = catalog.list(ProviderId.GOOGLE)[0]!;

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
const ask = { role: 'user' as const, content: 'Weather in Paris?' };
const PNG = 'iVBORw0KGgoAAAANSUhEUg==';

describe('Anthropic Messages door (official SDK)', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let client: Anthropic;
  let token: string;
  const secrets: string[] = [];
  const transcript: string[] = [];

  /** A user holding one Anthropic key of `scenario`, and a client for them. */
  async function userWithAnthropicKey(scenario: Parameters<typeof mockKeyInput>[1]): Promise<{ client: Anthropic; id: string }> {
    const u = await t.createUser();
    const { input, secret } = mockKeyInput('ANTHROPIC', scenario);
    secrets.push(secret);
    await addKey(t, u.token, input);
    return { client: new Anthropic({ apiKey: u.token, baseURL: t.url, maxRetries: 0 }), id: u.id };
  }

  const chatRequests = (provider: ProviderId): RecordedRequest[] => mock.requests.filter((r) => r.endpoint === 'chat' && r.provider === provider);

  beforeAll(async () => {
    mock = await startMockUpstream({
      fixtures: {
        dir: UPSTREAM,
        table: {
          [ProviderId.ANTHROPIC]: {
            file: 'tools/anthropic-turn1.sse',
            noUsageFile: `${PROVIDERS}/anthropic_messages/anthropic.no-usage.sse`,
            midstreamErrorFile: `${PROVIDERS}/anthropic_messages/anthropic_messages-midstream-error.sse`,
          },
          [ProviderId.OPENAI]: {
            file: 'tools/openai-turn1.sse',
            noUsageFile: `${PROVIDERS}/openai_chat/openai.no-usage.sse`,
            midstreamErrorFile: `${PROVIDERS}/openai_chat/openai_chat-midstream-error.sse`,
          },
          [ProviderId.GOOGLE]: {
            file: 'tools/gemini-turn1.sse',
            noUsageFile: `${PROVIDERS}/gemini/google.no-usage.sse`,
            midstreamErrorFile: `${PROVIDERS}/gemini/gemini-midstream-error.sse`,
          },
        },
      },
    });
    t = await startTestApp('anthropic-door', { ...mock.env(), ...FAST_VALIDATION_ENV });
    const u = await t.createUser();
    token = u.token;
    for (const provider of ['ANTHROPIC', 'OPENAI', 'GOOGLE']) {
      const { input, secret } = mockKeyInput(provider, 'good');
      secrets.push(secret);
      await addKey(t, token, input);
    }
    client = new Anthropic({ apiKey: token, baseURL: t.url, maxRetries: 0 });
  });
  afterAll(async () => {
    // No key in any response or log line.
    expect(leakedSecrets(transcript.join('\n') + t.logs.text(), secrets)).toEqual([]);
    await t.stop();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it('streams a Claude tool-use turn with thinking as sent, then replays the signed thinking block on the next turn', async () => {
    const stream = client.messages.stream(
      {
        model: 'claude-sonnet-4-6',
        max_tokens: 4096,
        system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
        tools: [{ ...weatherTool, cache_control: { type: 'ephemeral' } }],
        thinking: { type: 'enabled', budget_tokens: 2048 },
        messages: [ask],
      },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    const msg = await stream.finalMessage();
    const { response } = await stream.withResponse();
    transcript.push(JSON.stringify(msg));
    expect(msg.content).toMatchObject([
      { type: 'thinking', thinking: 'Need the weather in Paris.', signature: 'EqQBCgIYAhIMsigWEATHER' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.model).toBe('claude-sonnet-4-6');
    // Cache usage, cumulative, in message_delta (input excludes cache reads and writes).
    expect(msg.usage).toMatchObject({ input_tokens: 30, cache_creation_input_tokens: 500, cache_read_input_tokens: 1500, output_tokens: 64 });
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(response.headers.get('x-byok-provider')).toBe('ANTHROPIC');
    expect(response.headers.get('x-byok-key-source')).toBe('BYOK');

    // Upstream: the request nearly as sent (golden), the client's beta forwarded.
    const [up] = chatRequests(ProviderId.ANTHROPIC);
    expect(up!.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(up!.headers['anthropic-version']).toBeDefined();
    expect(up!.body).toEqual({
      model: 'claude-sonnet-4-6',
      // As sent: an Anthropic client's max_tokens already counts its thinking budget (2048 < 4096).
      max_tokens: 4096,
      stream: true,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      tools: [{ ...weatherTool, cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });

    // Next turn: the signed thinking block goes back first and unmodified with the tool result.
    mock.reset();
    const next = await client.messages
      .stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 4096,
        tools: [weatherTool],
        thinking: { type: 'enabled', budget_tokens: 2048 },
        messages: [ask, { role: 'assistant', content: msg.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: '18°C' }] }],
      })
      .finalMessage();
    expect(next.stop_reason).toBe('tool_use');
    const replay = (chatRequests(ProviderId.ANTHROPIC)[0]!.body as { messages: unknown[] }).messages;
    // (The gateway may add its own cache breakpoint on the last block: toMatchObject.)
    expect(replay.slice(1)).toMatchObject([
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Need the weather in Paris.', signature: 'EqQBCgIYAhIMsigWEATHER' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: '18°C' }] },
    ]);
  });

  it('answers a non-streaming request with one message object, the key-served headers and one usage record', async () => {
    const { data, response } = await client.messages
      .create({ model: 'anthropic/claude-sonnet-4.6', max_tokens: 1024, tools: [weatherTool], messages: [ask] })
      .withResponse();
    transcript.push(JSON.stringify(data));
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'anthropic/claude-sonnet-4.6',
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [
        { type: 'thinking', signature: 'EqQBCgIYAhIMsigWEATHER' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_01A', input: { city: 'Paris' } },
      ],
      usage: { input_tokens: 30, cache_creation_input_tokens: 500, cache_read_input_tokens: 1500, output_tokens: 64 },
    });
    expect(data.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('x-byok-key-hint')).toMatch(/^sk-\.\.\.\w{4}$/);
    const requestId = response.headers.get('x-request-id')!;
    const rows = await waitFor(async () => {
      const r = (await t.app.db.query('SELECT status, provider, input_tokens, output_tokens FROM usage_records WHERE request_id = $1', [requestId])) as Array<Record<string, unknown>>;
      return r.length ? r : undefined;
    }, 'the usage record');
    expect(rows).toEqual([{ status: 'SUCCEEDED', provider: 'ANTHROPIC', input_tokens: 2030, output_tokens: 64 }]);
  });

  it('serves the SDK’s beta client (POST /v1/messages?beta=true) the same way', async () => {
    const msg = await client.beta.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [ask], betas: ['context-management-2025-06-27'] });
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect(chatRequests(ProviderId.ANTHROPIC)[0]!.headers['anthropic-beta']).toBe('context-management-2025-06-27');
  });

  it.each([
    ['an OpenAI-dialect model', ProviderId.OPENAI, OPENAI_MODEL.id],
    ['a Gemini model', ProviderId.GOOGLE, GEMINI_MODEL.id],
  ])('translates a tool-use turn with %s both ways', async (_label, provider, model) => {
    const msg = await client.messages.stream({ model, max_tokens: 1024, tools: [weatherTool], messages: [ask] }).finalMessage();
    transcript.push(JSON.stringify(msg));
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content.slice(0, 2)).toMatchObject([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    // Gemini's thought signature rides last, as an empty thinking block's opaque signature.
    if (provider === ProviderId.GOOGLE) expect(msg.content.slice(2)).toEqual([{ type: 'thinking', thinking: '', signature: expect.stringMatching(/^gw1\./) }]);
    else expect(msg.content).toHaveLength(2);
    const call = msg.content[1] as Anthropic.ToolUseBlock;
    if (provider === ProviderId.OPENAI) {
      expect(call.id).toBe('call_a1');
      expect(msg.usage).toMatchObject({ input_tokens: 30, cache_read_input_tokens: 20, cache_creation_input_tokens: 0, output_tokens: 12 });
    }

    mock.reset();
    await client.messages
      .stream({
        model,
        max_tokens: 1024,
        tools: [weatherTool],
        messages: [ask, { role: 'assistant', content: msg.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18°C' }] }],
      })
      .finalMessage();
    const body = chatRequests(provider)[0]!.body as Record<string, unknown>;
    if (provider === ProviderId.OPENAI) {
      const messages = body.messages as unknown[];
      expect(messages).toContainEqual(
        expect.objectContaining({ role: 'assistant', tool_calls: [{ id: 'call_a1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
      );
      expect(messages).toContainEqual({ role: 'tool', tool_call_id: 'call_a1', content: '18°C' });
    } else {
      const contents = body.contents as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
      // …and goes back to Gemini on the call's part (Gemini 3 refuses the turn without it).
      expect(contents.find((c) => c.role === 'model')!.parts).toContainEqual(
        expect.objectContaining({ functionCall: expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } }), thoughtSignature: 'CiQBgemSIG' }),
      );
      expect(contents.at(-1)!.parts).toContainEqual({ functionResponse: expect.objectContaining({ name: 'get_weather' }) });
    }
  });

  it('carries images: base64 to an OpenAI model as a data URL, a URL to Claude as a URL source', async () => {
    await client.messages
      .stream({
        model: OPENAI_MODEL.id,
        max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'What is it?' }] }],
      })
      .finalMessage();
    const openaiUser = (chatRequests(ProviderId.OPENAI)[0]!.body as { messages: Array<{ role: string; content: unknown }> }).messages.find((m) => m.role === 'user');
    expect(openaiUser!.content).toContainEqual(expect.objectContaining({ type: 'image_url', image_url: expect.objectContaining({ url: `data:image/png;base64,${PNG}` }) }));

    await client.messages
      .stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }, { type: 'text', text: 'What is it?' }] }],
      })
      .finalMessage();
    const anthropicUser = (chatRequests(ProviderId.ANTHROPIC)[0]!.body as { messages: Array<{ content: unknown }> }).messages[0]!;
    expect(anthropicUser.content).toContainEqual({ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } });
  });

  it('answers errors in Anthropic’s shape with the matching status, before and during a stream', async () => {
    const status = async (p: Promise<unknown>) => {
      const err = (await p.then(() => undefined, (e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
      expect(err).toBeInstanceOf(Anthropic.APIError);
      transcript.push(JSON.stringify(err.error));
      return { status: err.status, type: (err.error as { error?: { type?: string } }).error?.type };
    };
    const body = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [ask] };
    const anonymous = new Anthropic({ apiKey: 'byok_not_a_token', baseURL: t.url, maxRetries: 0 });
    expect(await status(anonymous.messages.create(body))).toEqual({ status: 401, type: 'authentication_error' });
    expect(await status(client.messages.create({ ...body, model: 'nope/none' }))).toEqual({ status: 404, type: 'not_found_error' });
    expect(await status(client.messages.create({ ...body, max_tokens: 0 }))).toEqual({ status: 400, type: 'invalid_request_error' });
    // Organization context as on the OpenAI door: a non-member learns nothing (404).
    const orgClient = new Anthropic({ apiKey: token, baseURL: t.url, maxRetries: 0, defaultHeaders: { 'x-organization-id': '00000000-0000-4000-8000-000000000000' } });
    expect(await status(orgClient.messages.create(body))).toEqual({ status: 404, type: 'not_found_error' });
    expect(await status((await userWithAnthropicKey('bad')).client.messages.create(body))).toEqual({ status: 403, type: 'permission_error' });
    expect(await status((await userWithAnthropicKey('ratelimited')).client.messages.create(body))).toEqual({ status: 429, type: 'rate_limit_error' });
    expect(await status((await userWithAnthropicKey('server-error')).client.messages.create(body))).toEqual({ status: 529, type: 'overloaded_error' });

    // After the 200: an `error` event, then the end; the SDK throws it with its type.
    const mid = (await userWithAnthropicKey('midstream-error')).client.messages.stream(body);
    const err = (await mid.finalMessage().then(() => undefined, (e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(JSON.stringify(err.error)).toContain('overloaded_error');
  });

  it('aborts the upstream call when the client goes away, and records the request as ABORTED', async () => {
    const hanging = await userWithAnthropicKey('hang');
    const ac = new AbortController();
    const pending = hanging.client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [ask], stream: true }, { signal: ac.signal });
    const up = await mock.waitForRequest((r) => r.endpoint === 'chat' && r.scenario === 'hang');
    ac.abort();
    await expect(pending).rejects.toThrow();
    await mock.waitFor((reqs) => reqs.find((r) => r.id === up.id && r.clientClosedEarly));
    const rows = await waitFor(async () => {
      const r = (await t.app.db.query('SELECT status FROM usage_records WHERE user_id = $1', [hanging.id])) as Array<{ status: string }>;
      return r.length ? r : undefined;
    }, 'the ABORTED usage record');
    expect(rows).toEqual([{ status: 'ABORTED' }]);
  });

  it('count_tokens: Anthropic’s own count on an Anthropic route, an estimate said so in a header elsewhere', async () => {
    const claude = await client.messages.countTokens({ model: 'claude-sonnet-4-6', system: 'Be brief.', tools: [weatherTool], messages: [ask] }).withResponse();
    const [counted] = mock.requests.filter((r) => r.endpoint === 'count');
    expect(counted!.path).toBe('/anthropic/v1/messages/count_tokens');
    const { model: _model, ...sent } = counted!.body as Record<string, unknown>;
    expect(claude.data.input_tokens).toBe(Math.ceil(JSON.stringify(sent).length / 3));
    expect(claude.response.headers.get('x-byok-token-count')).toBe('provider');
    expect(claude.response.headers.get('x-byok-provider')).toBe('ANTHROPIC');

    mock.reset();
    const other = await client.messages.countTokens({ model: OPENAI_MODEL.id, messages: [ask] }).withResponse();
    expect(other.data.input_tokens).toBe(Math.ceil('Weather in Paris?'.length / 4));
    expect(other.response.headers.get('x-byok-token-count')).toBe('estimate');
    expect(mock.requests).toEqual([]);
  });

  it('GET /v1/models answers in Anthropic’s list format when anthropic-version is sent, in OpenAI’s otherwise', async () => {
    // What this caller can route now: the models its Anthropic, OpenAI and Google keys serve.
    const routable = catalog.list().filter((m) => m.offers.some((o) => [ProviderId.ANTHROPIC, ProviderId.OPENAI, ProviderId.GOOGLE].includes(o.provider)));
    const page = await client.models.list({ limit: 2 });
    expect(page.data).toEqual(routable.slice(0, 2).map((m) => ({ type: 'model', id: m.id, display_name: m.name, created_at: '1970-01-01T00:00:00.000Z' })));
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const m of client.models.list({ limit: 7 })) all.push(m.id);
    expect(all).toEqual(routable.map((m) => m.id));

    const openAi = (await (await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).json()) as { object: string; data: Array<{ id: string; object: string }> };
    expect(openAi.object).toBe('list');
    expect(openAi.data.map((m) => m.id)).toEqual(routable.map((m) => m.id));
    expect(openAi.data[0]!.object).toBe('model');

    const wrong = await fetch(`${t.url}/v1/models`, { headers: { 'x-api-key': 'byok_wrong', 'anthropic-version': '2023-06-01' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('pings while the provider is silent, between the deltas it sends', async () => {
    // The real services behind a second server whose ping interval is short enough to observe.
    const app = express().use(anthropicRoutes({ services: t.app.services!, maxBodyBytes: 1 << 20, keepAliveMs: 100 }));
    const server: Server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      mock.setSyntheticStream({ deltas: 3, intervalMs: 400 });
      // Raw bytes: the SDK drops pings before a caller sees them.
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': token, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: OPENAI_MODEL.id, max_tokens: 100, messages: [ask], stream: true }),
      });
      const text = await res.text();
      const ping = text.indexOf('event: ping\ndata: {"type":"ping"}\n\n');
      expect(ping).toBeGreaterThan(text.indexOf('event: content_block_delta'));
      expect(ping).toBeLessThan(text.lastIndexOf('event: content_block_delta'));
      expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('HEAD / answers 200 (Claude Code probes the base URL)', async () => {
    expect((await fetch(`${t.url}/`, { method: 'HEAD' })).status).toBe(200);
  });
});
