import OpenAI, { type APIError, AuthenticationError, NotFoundError } from 'openai';
import { startTestApp, type TestApp } from '../support/app';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { addSettledKey, recordingFetch } from '../support/rest';
import { leakedSecrets } from '../support/secret-scan';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const MODEL = 'openai/gpt-5.4-mini';

/** The official OpenAI SDK against the running service, through the caller's own OpenAI key. */
describe('REST /v1 with the official openai SDK', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let client: OpenAI;
  let user: { id: string; token: string };
  const secrets: string[] = [];

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('rest-sdk', { ...mock.env(), ...FAST_VALIDATION_ENV });
    user = await t.createUser();
    secrets.push(user.token, (await addSettledKey(t, user.token, 'OPENAI')).secret);
    client = new OpenAI({ apiKey: user.token, baseURL: `${t.url}/v1`, maxRetries: 0, fetch: recordingFetch(t) });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it('non-stream: one chat.completion with the text, usage and the provider', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(MODEL);
    expect(data.choices[0]!.message.content).toBe('Bonjour — ça va ? 👋');
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 1048, completion_tokens: 73, total_tokens: 1121 });
    expect(data.usage!.prompt_tokens_details!.cached_tokens).toBe(1024);
    expect((data as unknown as { provider: string }).provider).toBe('OpenAI');
    expect(response.headers.get('x-byok-provider')).toBe('OPENAI');
    expect(response.headers.get('x-byok-key-source')).toBe('BYOK');
    expect(response.headers.get('x-byok-key-hint')).toMatch(/^sk-/);
    expect(data.id).toBe(`chatcmpl-${response.headers.get('x-request-id')}`);
  });

  it('stream: chunks with the text, a usage chunk with cost, then the end', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Bonjour — ça va ? 👋');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 1048, completion_tokens: 73, completion_tokens_details: { reasoning_tokens: 64 } });
    expect(typeof (usage as { cost: unknown }).cost).toBe('number');
    // The system message arrived as parts and went upstream as a system message.
    const sent = mock.requests.find((r) => r.endpoint === 'chat')!.body as { messages: Array<{ role: string }> };
    expect(sent.messages[0]!.role).toBe('system');
  });

  it('images: a data URL and an https URL reach the provider as image parts', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const r = await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: png, detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(r.choices[0]!.message.content).toBe('Bonjour — ça va ? 👋');
    const sent = mock.requests.find((q) => q.endpoint === 'chat')!.body as { messages: Array<{ role: string; content: Array<{ type: string; image_url?: { url: string } }> }> };
    const user = sent.messages.find((m) => m.role === 'user')!;
    expect(user.content.map((p) => p.image_url?.url ?? p.type)).toEqual(['text', png, 'https://example.com/cat.jpg']);
  });

  it('a two-turn tool loop through Anthropic: streamed calls assemble, reasoning_details replay, the second turn answers', async () => {
    secrets.push((await addSettledKey(t, user.token, 'ANTHROPIC')).secret);
    const model = 'anthropic/claude-sonnet-4.6';
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
      { type: 'function', function: { name: 'get_time', description: 'The local time' } },
    ];
    const history: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather and time in Paris?' }];
    const stream = await client.chat.completions.create({ model, tools, messages: history, stream: true, reasoning_effort: 'low' });
    const calls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
    let content = '';
    let reasoning = '';
    let details: unknown[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta & { reasoning?: string; reasoning_details?: unknown[] }) | undefined;
      content += delta?.content ?? '';
      reasoning += delta?.reasoning ?? '';
      if (delta?.reasoning_details) details = details.concat(delta.reasoning_details);
      for (const c of delta?.tool_calls ?? []) {
        const call = (calls[c.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (c.id) call.id = c.id;
        if (c.function?.name) call.function.name = c.function.name;
        call.function.arguments += c.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(content).toBe('Checking both.');
    expect(reasoning).toBe('Two independent lookups.');
    expect(finish).toBe('tool_calls');
    expect(calls.map((c) => [c.function.name, c.function.arguments])).toEqual([
      ['get_weather', '{"city": "Paris"}'],
      ['get_time', '{}'],
    ]);
    expect(details).toEqual([
      expect.objectContaining({ type: 'reasoning.text', text: 'Two independent lookups.', signature: 'EqQBCgIYAhIMsig0ToolLoop', format: 'anthropic-claude-v1' }),
      expect.objectContaining({ type: 'reasoning.encrypted', data: 'EmwKAhIMredacted0', format: 'anthropic-claude-v1' }),
    ]);

    const assistant = { role: 'assistant', content, tool_calls: calls, reasoning_details: details } as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam;
    const turn2 = await client.chat.completions.create({
      model,
      tools,
      reasoning_effort: 'low',
      messages: [...history, assistant, { role: 'tool', tool_call_id: calls[0]!.id, content: '18°C' }, { role: 'tool', tool_call_id: calls[1]!.id, content: '14:02' }],
    });
    expect(turn2.choices[0]!.message.content).toBe('It is 18°C in Paris and 14:02.');
    expect(turn2.choices[0]!.finish_reason).toBe('stop');
    // The thinking came back to Anthropic signed, before the calls, as Claude requires.
    const sent = mock.requests.filter((r) => r.endpoint === 'chat')[1]!.body as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> };
    expect(sent.messages[1]!.content.map((b) => b.type)).toEqual(['thinking', 'redacted_thinking', 'text', 'tool_use', 'tool_use']);
    expect(sent.messages[1]!.content[0]).toMatchObject({ thinking: 'Two independent lookups.', signature: 'EqQBCgIYAhIMsig0ToolLoop' });
  });

  it('models.list() holds the models the caller can route now', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain(MODEL);
    // No Google key, no platform key: Gemini is not listed.
    expect(ids.some((id) => id.startsWith('google/'))).toBe(false);
    const one = await client.models.retrieve(MODEL);
    expect(one).toMatchObject({ id: MODEL, object: 'model', owned_by: 'openai' });
    await expect(client.models.retrieve('google/gemini-2.5-flash')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('AuthenticationError on a bad token, NotFoundError on an unknown model, and nothing goes upstream', async () => {
    const bad = new OpenAI({ apiKey: 'byok_not-a-real-token', baseURL: `${t.url}/v1`, maxRetries: 0 });
    const e1 = await bad.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(AuthenticationError);
    expect((e1 as APIError).code).toBe('unauthenticated');
    const e2 = await client.chat.completions.create({ model: 'nope/unknown', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(NotFoundError);
    expect((e2 as APIError).code).toBe('model_not_found');
    expect(mock.requests.filter((r) => r.endpoint === 'chat')).toEqual([]);
  });

  it('aborting through an AbortController closes the upstream socket at once', async () => {
    mock.setSyntheticStream({ deltas: 200, intervalMs: 50 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'Count' }], stream: true },
      { signal: controller.signal },
    );
    let seen = 0;
    const reading = (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) seen++;
        if (seen === 3) controller.abort();
      }
    })();
    // The SDK ends the iteration on abort (it may or may not throw, depending on timing).
    await reading.catch(() => undefined);
    const abortedAt = Date.now();
    const upstream = await mock.waitFor((rs) => rs.find((r) => r.endpoint === 'chat' && r.clientClosedEarly));
    expect(upstream.finished).toBe(false);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    const rows = await waitFor(async () => {
      const r = (await t.app.db.query("SELECT status FROM usage_records WHERE user_id = $1 AND status = 'ABORTED'", [user.id])) as unknown[];
      return r.length ? r : undefined;
    }, 'the ABORTED usage record');
    expect(rows).toHaveLength(1);
  });

  it('no secret in any response body or log line', () => {
    const haystack = t.gql.transcript.join('\n') + t.logs.text();
    expect(leakedSecrets(haystack, secrets.slice(1))).toEqual([]);
  });
});
