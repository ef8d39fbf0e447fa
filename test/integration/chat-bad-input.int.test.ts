/**
 * Bad agent input over the real graphql-ws client: each request is refused with BAD_USER_INPUT,
 * nothing reaches the provider and no usage record is written.
 */
import { ProviderId } from '../../src/providers/types';
import { countRows, startTestApp, type TestApp } from '../support/app';
import { CHAT, chatEvents } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { waitFor } from '../support/wait';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { FAST_VALIDATION_ENV } from '../support/validation-env';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('chatCompletion refuses bad tool, image and feature input before anything is sent', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('chatbad', { ...mock.env(), ...FAST_VALIDATION_ENV });
    const u = await t.createUser();
    token = u.token;
    for (const provider of [ProviderId.OPENAI, ProviderId.GOOGLE, ProviderId.ZAI]) {
      const key = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: mockKeyInput(provider, 'good').input }, token)).addByokKey;
      expect(await settledStatus(t, key.id)).toBe('VALID');
    }
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  const user = (content: string) => ({ role: 'USER', content });
  it.each([
    ['a TOOL message without toolCallId', 'openai/gpt-5.4', { messages: [user('q'), { role: 'TOOL', content: 'r' }] }, /toolCallId/],
    ['a toolCallId no earlier assistant call made', 'openai/gpt-5.4', { messages: [user('q'), { role: 'ASSISTANT', content: 'a' }, { role: 'TOOL', toolCallId: 'call_zz', content: 'r' }] }, /answers no call/],
    ['a tool name outside the pattern', 'openai/gpt-5.4', { messages: [user('q')], tools: [{ name: 'get.weather' }] }, /tools\[0\]\.name/],
    ['parameters that are not an object schema', 'openai/gpt-5.4', { messages: [user('q')], tools: [{ name: 'x', parameters: { type: 'array' } }] }, /type "object"/],
    ['an image that is neither https nor a data URL of an image', 'openai/gpt-5.4', { messages: [{ role: 'USER', parts: [{ type: 'IMAGE', imageUrl: 'file:///etc/passwd' }] }] }, /imageUrl/],
    ['an https image for a provider that takes inline bytes only', 'google/gemini-2.5-flash', { messages: [{ role: 'USER', parts: [{ type: 'TEXT', text: 'what?' }, { type: 'IMAGE', imageUrl: 'https://example.com/a.png' }] }] }, /Google.*image URLs/],
    ['a forced tool choice on a provider that only takes auto', 'z-ai/glm-4.7', { provider: 'ZAI', messages: [user('q')], tools: [{ name: 'x' }], toolChoice: { mode: 'REQUIRED' } }, /Z\.ai.*toolChoice/],
    ['reasoningDetails that are not a list', 'openai/gpt-5.4', { messages: [user('q'), { role: 'ASSISTANT', content: 'a', reasoningDetails: { x: 1 } }, user('again')] }, /reasoningDetails/],
  ])('%s', async (_name, model, input, message) => {
    mock.reset();
    const before = await countRows(t.app, 'usage_records');
    const { events, errors } = await chatEvents(t, token, { model, ...input });
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0]!.message).toMatch(message);
    expect(mock.requests.filter((r) => r.endpoint === 'chat')).toEqual([]);
    // Give a wrongly written record time to land before counting.
    await new Promise((r) => setTimeout(r, 150));
    expect(await countRows(t.app, 'usage_records')).toBe(before);
  });

  it('a 19 MB image is sent; a 21 MB request is refused (the socket closes with 1009), nothing sent, no record', async () => {
    const MiB = 1024 * 1024;
    const image = (mb: number) => `data:image/png;base64,${'A'.repeat(Math.floor((mb * MiB) / 4) * 4)}`;
    const input = (mb: number) => ({ model: 'openai/gpt-5.4', messages: [{ role: 'USER', parts: [{ type: 'TEXT', text: 'what?' }, { type: 'IMAGE', imageUrl: image(mb) }] }] });
    mock.reset();
    const recordsBefore = await countRows(t.app, 'usage_records');
    const ok = await chatEvents(t, token, input(19));
    expect(ok.errors).toEqual([]);
    expect(mock.requests.filter((r) => r.endpoint === 'chat')).toHaveLength(1);
    await waitFor(async () => (await countRows(t.app, 'usage_records')) === recordsBefore + 1, 'the 19 MB request\'s record');

    mock.reset();
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let closedWith: number | undefined;
    const client = wsClient(t.url, token, { onClosed: (code) => (closedWith = code) });
    try {
      const before = await countRows(t.app, 'usage_records');
      const { results } = await collect(client, CHAT, { input: input(21) }).done;
      expect(results).toEqual([]);
      await waitFor(() => closedWith !== undefined, 'the socket to close', 5000);
      expect(closedWith).toBe(1009);
      await new Promise((r) => setTimeout(r, 150));
      expect(mock.requests).toEqual([]);
      expect(await countRows(t.app, 'usage_records')).toBe(before);
    } finally {
      stderr.mockRestore();
      await client.dispose();
    }
  });

  it('a valid image request is sent (the refusals above are not a blanket one)', async () => {
    mock.reset();
    const { errors } = await chatEvents(t, token, { model: 'google/gemini-2.5-flash', messages: [{ role: 'USER', parts: [{ type: 'TEXT', text: 'what?' }, { type: 'IMAGE', imageUrl: PNG }] }] });
    expect(errors).toEqual([]);
    const sent = mock.requests.find((r) => r.endpoint === 'chat')!;
    expect(JSON.stringify(sent.body)).toContain('"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}');
  });
});
