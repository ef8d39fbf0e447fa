import { adapterFor } from '../../../src/providers/dialects';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from '../../../src/providers/dialects/anthropic-messages';
import { PROVIDERS } from '../../../src/providers/registry';
import type { ProviderDeclaration, UpstreamChatRequest } from '../../../src/providers/types';
import { ReplayServer } from './support/replay-server';
import type { RecordedRequest } from './support/replay-server';
import { chatRequest, msg } from './support/requests';

let server: ReplayServer;
let base: string;

beforeAll(async () => {
  server = new ReplayServer(() => ({ chunks: [] }));
  base = await server.start();
});
afterAll(() => server.stop());

/** Opens a stream, drains it and returns what the upstream received. */
async function sent(
  provider: ProviderDeclaration,
  overrides: Partial<UpstreamChatRequest> = {},
  api = `${base}/v1`,
): Promise<RecordedRequest & { json: Record<string, unknown> }> {
  const stream = await adapterFor(provider.dialect).open(chatRequest(provider, api, overrides));
  for await (const _ of stream.events) void _;
  const request = server.requests[server.requests.length - 1]!;
  return { ...request, json: JSON.parse(request.body) as Record<string, unknown> };
}

const sampling = { maxTokens: 256, temperature: 0.2, topP: 0.9, stop: ['END'] };

describe('OpenAI chat body', () => {
  it('OpenAI: include_usage, max_completion_tokens, sampling, POST /chat/completions', async () => {
    const req = await sent(PROVIDERS.OPENAI, { upstreamModel: 'gpt-5.4-mini', ...sampling });
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.json).toEqual({
      model: 'gpt-5.4-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
    });
  });

  it('max_tokens by default; stream_options omitted when includeUsage is false (Mistral)', async () => {
    const req = await sent(PROVIDERS.MISTRAL, { maxTokens: 64 });
    expect(req.json.max_tokens).toBe(64);
    expect(req.json).not.toHaveProperty('max_completion_tokens');
    expect(req.json).not.toHaveProperty('stream_options');
    expect(req.json).not.toHaveProperty('temperature');
  });

  it('merges extraBody and honours a custom path; tolerates a trailing slash on the base', async () => {
    const provider: ProviderDeclaration = {
      ...PROVIDERS.ZAI,
      openAi: { path: '/v4/chat', extraBody: { thinking: { type: 'enabled' } } },
    };
    const req = await sent(provider, {}, `${base}/api/`);
    expect(req.url).toBe('/api/v4/chat');
    expect(req.json.thinking).toEqual({ type: 'enabled' });
    expect(req.json.stream_options).toEqual({ include_usage: true });
  });

  it('every OpenAI-dialect declaration except Mistral/Codestral asks for usage', async () => {
    for (const provider of Object.values(PROVIDERS)) {
      if (provider.dialect !== 'OPENAI_CHAT') continue;
      const req = await sent(provider);
      const expected = provider.openAi?.includeUsage === false ? undefined : { include_usage: true };
      expect([provider.id, req.json.stream_options]).toEqual([provider.id, expected]);
    }
  });
});

describe('Anthropic Messages body', () => {
  it('system joined apart from messages, max_tokens defaulted, stop_sequences', async () => {
    const messages = [
      msg('system', 'Be brief.'),
      msg('system', 'Answer in French.'),
      msg('user', 'Hi'),
      msg('assistant', 'Salut'),
      msg('user', 'Coffee?'),
    ];
    const req = await sent(PROVIDERS.MINIMAX, { upstreamModel: 'test-model', messages: [...messages], stop: ['\n\nHuman:'], temperature: 1 });
    expect(req.url).toBe('/v1/messages');
    expect(req.json).toEqual({
      model: 'test-model',
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      system: 'Be brief.\n\nAnswer in French.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Salut' },
        { role: 'user', content: 'Coffee?' },
      ],
      stream: true,
      temperature: 1,
      stop_sequences: ['\n\nHuman:'],
    });
  });

  it('passes maxTokens through', async () => {
    expect((await sent(PROVIDERS.MINIMAX, { maxTokens: 100 })).json.max_tokens).toBe(100);
  });
});

describe('Gemini body', () => {
  it('contents with user/model roles, systemInstruction, generationConfig; model URL-encoded', async () => {
    const req = await sent(PROVIDERS.GOOGLE, {
      upstreamModel: 'tuned/my model',
      messages: [
        msg('system', 'Be brief.'),
        msg('user', 'Hi'),
        msg('assistant', 'Ciao'),
      ],
      ...sampling,
    });
    expect(req.url).toBe('/v1/models/tuned%2Fmy%20model:streamGenerateContent?alt=sse');
    expect(req.json).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Ciao' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
  });
});
