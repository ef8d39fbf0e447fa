import { startTestApp, type TestApp } from '../support/app';
import { runAiSdk } from '../support/ai-sdk';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { addSettledKey } from '../support/rest';
import { FAST_VALIDATION_ENV } from '../support/validation-env';

const MODEL = 'openai/gpt-5.4-mini';

/** The Vercel AI SDK and OpenRouter's provider (what Kilo's clients build on) against the service. */
describe('REST door with the Vercel AI SDK and @openrouter/ai-sdk-provider', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('rest-ai-sdk', { ...mock.env(), ...FAST_VALIDATION_ENV });
    const u = await t.createUser();
    token = u.token;
    await addSettledKey(t, token, 'OPENAI');
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  const toolSent = () => {
    const body = mock.requests.find((r) => r.endpoint === 'chat')!.body as { tools?: Array<{ function: { name: string; parameters: unknown } }> };
    return body.tools?.map((x) => x.function.name);
  };

  it('ai + @ai-sdk/openai-compatible: streamText with a tool gets the reasoning, the text and both tool calls', async () => {
    const r = await runAiSdk({ provider: 'openai-compatible', baseURL: `${t.url}/v1`, token, model: MODEL, prompt: 'Weather and time in Paris?', withTool: true });
    expect(r.errors).toEqual([]);
    expect(r.reasoning).toBe('Two independent lookups.');
    expect(r.text).toBe('Checking both.');
    expect(r.toolCalls.map((c) => [c.name, c.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', {}],
    ]);
    expect(r.finishReason).toBe('tool-calls');
    expect(r.usage).toMatchObject({ inputTokens: 812, outputTokens: 41 });
    expect(toolSent()).toEqual(['get_weather', 'get_time']);
  });

  it('@openrouter/ai-sdk-provider at /api/openrouter: streams text with Kilo’s headers on the request', async () => {
    const r = await runAiSdk({
      provider: 'openrouter',
      baseURL: `${t.url}/api/openrouter`,
      token,
      model: MODEL,
      prompt: 'Hello',
      headers: { 'X-KiloCode-Version': '5.0.0', 'X-KiloCode-TaskId': 'task-1' },
    });
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('Bonjour — ça va ? 👋');
    expect(r.finishReason).toBe('stop');
    expect(mock.requests.find((q) => q.endpoint === 'chat')).toBeDefined();
  });

  it('@openrouter/ai-sdk-provider at /api/openrouter: a tool call, with the reasoning', async () => {
    const r = await runAiSdk({ provider: 'openrouter', baseURL: `${t.url}/api/openrouter`, token, model: MODEL, prompt: 'Weather and time in Paris?', withTool: true });
    expect(r.errors).toEqual([]);
    expect(r.reasoning).toBe('Two independent lookups.');
    expect(r.text).toBe('Checking both.');
    expect(r.toolCalls.map((c) => [c.name, c.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', {}],
    ]);
    expect(r.finishReason).toBe('tool-calls');
  });

  it('@openrouter/ai-sdk-provider surfaces a gateway error (unknown model) as an error, not text', async () => {
    const r = await runAiSdk({ provider: 'openrouter', baseURL: `${t.url}/api/openrouter`, token, model: 'nobody/knows', prompt: 'Hello' });
    expect(r.text).toBe('');
    expect(r.errors.join(' ')).toMatch(/Unknown model/);
  });
});
