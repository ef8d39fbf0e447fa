/**
 * What the Anthropic door carries through to each provider beyond the common request (issue 14):
 * the client's `anthropic-version` / `anthropic-beta`, `thinking` and `output_config.effort` as
 * sent, `top_k`, the matched `stop_sequence` on the way back, and Gemini thought signatures
 * round-tripping through Anthropic clients.
 */
import { ChatEventType, type ChatCompletionEventType } from '../../../src/modules/chat/chat-event.type';
import { chatParams } from '../../../src/modules/chat/chat-request';
import { AnthropicMessagesNormalizer } from '../../../src/providers/dialects/anthropic-messages';
import { adapterFor } from '../../../src/providers/dialects';
import { anthropicMessagesBody } from '../../../src/providers/dialects/anthropic-messages-request';
import { BedrockStreamState } from '../../../src/providers/dialects/bedrock-converse';
import { converseStreamInput } from '../../../src/providers/dialects/bedrock-request';
import { GeminiNormalizer } from '../../../src/providers/dialects/gemini';
import { geminiBody } from '../../../src/providers/dialects/gemini-request';
import { openAiChatBody } from '../../../src/providers/dialects/openai-chat-request';
import type { SseEvent } from '../../../src/providers/dialects/sse-parser';
import { PROVIDERS } from '../../../src/providers/registry';
import type { ProviderDeclaration, UpstreamChatRequest, UpstreamEvent } from '../../../src/providers/types';
import { AppError } from '../../../src/errors/app-error';
import { MessageAssembler } from '../../../src/rest/anthropic/message-assembler';
import { MessageRenderer } from '../../../src/rest/anthropic/message-renderer';
import { parseMessagesRequest, type AnthropicHeaders } from '../../../src/rest/anthropic/messages-request';
import { ReplayServer } from '../dialects/support/replay-server';
import { TEST_KEY, chatRequest } from '../dialects/support/requests';

const hello = { model: 'm', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] };

/** An Anthropic door request as a dialect sees it, for `provider` serving `upstreamModel`. */
function upstream(body: Record<string, unknown>, provider: ProviderDeclaration, upstreamModel: string, headers: AnthropicHeaders = {}) {
  const { promptChars: _p, ...params } = chatParams(parseMessagesRequest(body, headers).input);
  return { ...params, provider, upstreamModel };
}

describe('anthropic-version and anthropic-beta reach an Anthropic upstream as the client sent them', () => {
  let server: ReplayServer;
  let base: string;
  beforeAll(async () => {
    server = new ReplayServer(() => ({ chunks: [] }));
    base = await server.start();
  });
  afterAll(() => server.stop());

  async function headersSent(headers: AnthropicHeaders) {
    const { promptChars: _p, ...params } = chatParams(parseMessagesRequest(hello, headers).input);
    const req: UpstreamChatRequest = { ...chatRequest(PROVIDERS.ANTHROPIC, `${base}/v1`), ...params, upstreamModel: 'claude-x' };
    const stream = await adapterFor(PROVIDERS.ANTHROPIC.dialect).open(req);
    for await (const _ of stream.events) void _;
    return server.requests[server.requests.length - 1]!.headers;
  }

  it('the client’s version replaces the default; betas as one comma list', async () => {
    const h = await headersSent({ version: '2024-10-22', beta: ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'] });
    expect(h['anthropic-version']).toBe('2024-10-22');
    expect(h['anthropic-beta']).toBe('interleaved-thinking-2025-05-14,context-1m-2025-08-07');
    expect(h['x-api-key']).toBe(TEST_KEY);
  });

  it('without them: the provider’s default version and no beta header', async () => {
    const h = await headersSent({});
    expect(h['anthropic-version']).toBe('2023-06-01');
    expect(h['anthropic-beta']).toBeUndefined();
  });

  it('a version that is not a plain token is refused before anything is sent', () => {
    expect(() => parseMessagesRequest(hello, { version: '2023-06-01; x=y' })).toThrow(AppError);
    expect(() => parseMessagesRequest(hello, { version: '' })).toThrow(/anthropic-version/);
  });
});

describe('thinking and effort as sent to Claude, translated elsewhere', () => {
  const adaptive = { ...hello, thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'xhigh' } };

  it('Anthropic: adaptive thinking, display and effort unchanged (not turned into a budget)', () => {
    const body = anthropicMessagesBody(upstream(adaptive, PROVIDERS.ANTHROPIC, 'claude-opus-5'));
    expect(body.thinking).toEqual({ type: 'adaptive', display: 'omitted' });
    expect(body.output_config).toEqual({ effort: 'xhigh' });
    expect(body.max_tokens).toBe(1000);
  });

  it('Anthropic: enabled with its budget and disabled, as sent', () => {
    const enabled = anthropicMessagesBody(upstream({ ...hello, thinking: { type: 'enabled', budget_tokens: 2000 } }, PROVIDERS.ANTHROPIC, 'claude-x'));
    expect(enabled.thinking).toEqual({ type: 'enabled', budget_tokens: 2000 });
    const disabled = anthropicMessagesBody(upstream({ ...hello, thinking: { type: 'disabled' } }, PROVIDERS.ANTHROPIC, 'claude-x'));
    expect(disabled.thinking).toEqual({ type: 'disabled' });
  });

  it('Bedrock Claude: thinking, effort and the betas Bedrock takes (as anthropic_beta) in additionalModelRequestFields', () => {
    // Claude Code's own beta would make Bedrock refuse the request ("invalid beta flag"): dropped.
    const beta = 'claude-code-20250219,interleaved-thinking-2025-05-14,extended-cache-ttl-2025-04-11';
    const input = converseStreamInput(upstream(adaptive, PROVIDERS.BEDROCK, 'us.anthropic.claude-opus-5', { beta }));
    expect(input.additionalModelRequestFields).toEqual({
      thinking: { type: 'adaptive', display: 'omitted' },
      output_config: { effort: 'xhigh' },
      anthropic_beta: ['interleaved-thinking-2025-05-14'],
    });
  });

  it('Bedrock: no anthropic_beta when none of the betas is one Bedrock takes', () => {
    const input = converseStreamInput(upstream(hello, PROVIDERS.BEDROCK, 'us.anthropic.claude-x', { beta: 'claude-code-20250219' }));
    expect(input.additionalModelRequestFields).toBeUndefined();
  });

  it('Gemini and OpenAI get the reasoning settings instead', () => {
    const gemini = geminiBody(upstream(adaptive, PROVIDERS.GOOGLE, 'gemini-3-pro'));
    expect((gemini.generationConfig as Record<string, unknown>).thinkingConfig).toMatchObject({ thinkingLevel: 'high' });
    const openai = openAiChatBody(upstream(adaptive, PROVIDERS.OPENAI, 'gpt-5'));
    expect(openai.reasoning_effort).toBe('high');
    expect(openai).not.toHaveProperty('thinking');
  });

  it('another Anthropic-dialect host (MiniMax): adaptive becomes the derived budget, no effort; enabled/disabled pass reduced to type and budget', () => {
    const derived = anthropicMessagesBody(upstream(adaptive, PROVIDERS.MINIMAX, 'MiniMax-M3'));
    expect(derived.thinking).toEqual({ type: 'enabled', budget_tokens: expect.any(Number) });
    expect(derived).not.toHaveProperty('output_config');
    const enabled = anthropicMessagesBody(upstream({ ...hello, thinking: { type: 'enabled', budget_tokens: 2048, display: 'omitted' } }, PROVIDERS.MINIMAX, 'MiniMax-M3'));
    expect(enabled.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    const disabled = anthropicMessagesBody(upstream({ ...hello, thinking: { type: 'disabled' } }, PROVIDERS.MINIMAX, 'MiniMax-M3'));
    expect(disabled.thinking).toEqual({ type: 'disabled' });
  });
});

describe('top_k', () => {
  const topK = { ...hello, top_k: 40 };

  it('Anthropic top_k, Gemini topK, Bedrock Claude top_k; not with thinking on', () => {
    expect(anthropicMessagesBody(upstream(topK, PROVIDERS.ANTHROPIC, 'claude-x')).top_k).toBe(40);
    expect((geminiBody(upstream(topK, PROVIDERS.GOOGLE, 'gemini-2.5-flash')).generationConfig as Record<string, unknown>).topK).toBe(40);
    expect(converseStreamInput(upstream(topK, PROVIDERS.BEDROCK, 'us.anthropic.claude-x')).additionalModelRequestFields).toEqual({ top_k: 40 });
    const thinking = { ...topK, thinking: { type: 'enabled', budget_tokens: 1024 } };
    expect(anthropicMessagesBody(upstream(thinking, PROVIDERS.ANTHROPIC, 'claude-x'))).not.toHaveProperty('top_k');
  });

  it('ignored without error by OpenAI-compatible providers and non-Claude Bedrock models; 0 means none', () => {
    expect(openAiChatBody(upstream(topK, PROVIDERS.OPENAI, 'gpt-5'))).not.toHaveProperty('top_k');
    expect(converseStreamInput(upstream(topK, PROVIDERS.BEDROCK, 'amazon.nova-pro-v1:0')).additionalModelRequestFields).toBeUndefined();
    expect(parseMessagesRequest({ ...hello, top_k: 0 }).input.topK).toBeUndefined();
    expect(() => parseMessagesRequest({ ...hello, top_k: -1 })).toThrow(AppError);
  });
});

const credential = { kind: 'api_key', apiKey: TEST_KEY } as const;

function sse(events: Record<string, unknown>[]): SseEvent[] {
  return events.map((e) => ({ event: e.type as string, data: JSON.stringify(e) }));
}

function normalize(normalizer: { push(e: SseEvent, out: UpstreamEvent[]): boolean; end(out: UpstreamEvent[]): void }, events: SseEvent[]): UpstreamEvent[] {
  const out: UpstreamEvent[] = [];
  for (const e of events) normalizer.push(e, out);
  normalizer.end(out);
  return out;
}

/** Internal events (as the chat service yields them) → the Anthropic message the door answers. */
function message(upstreamEvents: UpstreamEvent[]) {
  const r = new MessageRenderer({ messageId: 'msg_1', model: 'm', inputTokensEstimate: () => 1 });
  const a = new MessageAssembler();
  a.add(r.start());
  const requestId = 'r';
  for (const ev of upstreamEvents) {
    let out: ChatCompletionEventType;
    if (ev.type === 'delta') out = { type: ChatEventType.DELTA, requestId, content: ev.content, reasoning: ev.reasoning, ...(ev.toolCalls ? { toolCalls: ev.toolCalls } : {}) };
    else if (ev.type === 'usage') out = { type: ChatEventType.USAGE, requestId, usage: { ...ev.usage, costMicroUsd: 0, costKnown: true, estimated: false } };
    else {
      out = { type: ChatEventType.DONE, requestId, finishReason: ev.reason };
      if (ev.reasoningDetails) out.reasoningDetails = ev.reasoningDetails;
      if (ev.stopSequence !== undefined) out.stopSequence = ev.stopSequence;
    }
    a.add(r.push(out));
  }
  return a.result();
}

describe('stop_sequence in the response', () => {
  const anthropicStream = (stop: string, sequence: string | null) =>
    sse([
      { type: 'message_start', message: { usage: { input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'one two' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: sequence }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ]);

  it('Anthropic upstream: the matched sequence passes through (finish reason stays "stop" for other doors)', () => {
    const events = normalize(new AnthropicMessagesNormalizer({ provider: PROVIDERS.ANTHROPIC, credential, upstreamModel: 'claude-x' }), anthropicStream('stop_sequence', 'three'));
    expect(events[events.length - 1]).toEqual({ type: 'finish', reason: 'stop', stopSequence: 'three' });
    const m = message(events);
    expect(m.stop_reason).toBe('stop_sequence');
    expect(m.stop_sequence).toBe('three');
  });

  it('end_turn carries no stop sequence', () => {
    const events = normalize(new AnthropicMessagesNormalizer({ provider: PROVIDERS.ANTHROPIC, credential, upstreamModel: 'claude-x' }), anthropicStream('end_turn', null));
    expect(events[events.length - 1]).toEqual({ type: 'finish', reason: 'stop' });
    expect(message(events)).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
  });

  it('Bedrock Claude names it in additionalModelResponseFields; without it, stop_sequence with null', () => {
    const named = new BedrockStreamState({ provider: PROVIDERS.BEDROCK, upstreamModel: 'us.anthropic.claude-x' });
    named.push({ messageStop: { stopReason: 'stop_sequence', additionalModelResponseFields: { delta: { stop_sequence: 'END' } } } } as never);
    expect(named.end()).toEqual([{ type: 'finish', reason: 'stop', stopSequence: 'END' }]);
    const unnamed = new BedrockStreamState({ provider: PROVIDERS.BEDROCK, upstreamModel: 'amazon.nova-pro-v1:0' });
    unnamed.push({ messageStop: { stopReason: 'stop_sequence' } } as never);
    const events = unnamed.end();
    expect(events).toEqual([{ type: 'finish', reason: 'stop', stopSequence: null }]);
    expect(message(events)).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: null });
  });
});

describe('cache writes by TTL', () => {
  it('Anthropic’s 5m/1h split is counted (for the 1-hour price) and shown back in the message usage', () => {
    const events = normalize(new AnthropicMessagesNormalizer({ provider: PROVIDERS.ANTHROPIC, credential, upstreamModel: 'claude-x' }), sse([
      { type: 'message_start', message: { usage: { input_tokens: 5, cache_creation_input_tokens: 1000, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 700 }, output_tokens: 1 } } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ]));
    const usage = events.filter((e) => e.type === 'usage').at(-1);
    expect(usage).toEqual({ type: 'usage', usage: { inputTokens: 1005, outputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 1000, cacheWrite1hTokens: 700, reasoningTokens: 0 } });
    expect(JSON.stringify(message(events).usage)).toBe(
      '{"input_tokens":5,"cache_creation_input_tokens":1000,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":300,"ephemeral_1h_input_tokens":700},"output_tokens":3}',
    );
    expect(message(events).usage).toEqual({
      input_tokens: 5,
      cache_creation_input_tokens: 1000,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 700 },
      output_tokens: 3,
    });
  });
});

describe('Gemini thought signatures survive a round trip through the Anthropic door', () => {
  it('rendered as an empty thinking block’s signature, replayed on the call’s part on the next turn', () => {
    const normalizer = new GeminiNormalizer({ provider: PROVIDERS.GOOGLE, credential, upstreamModel: 'gemini-3-pro' });
    const events = normalize(normalizer, [
      {
        data: JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'call_g1', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQBjz1rX-sig' }] }, finishReason: 'STOP' }],
        }),
      },
    ]);
    const answer = message(events);
    expect(answer.stop_reason).toBe('tool_use');
    const thinking = answer.content.find((b) => b.type === 'thinking');
    expect(thinking).toEqual({ type: 'thinking', thinking: '', signature: expect.any(String) });
    expect(JSON.stringify(answer)).not.toContain('CiQBjz1rX-sig'); // opaque to the client

    // The client sends the assistant turn back as it got it, with the tool result.
    const next = {
      ...hello,
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: answer.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_g1', content: '18°C' }] },
      ],
    };
    const body = geminiBody(upstream(next, PROVIDERS.GOOGLE, 'gemini-3-pro'));
    const model = (body.contents as { role: string; parts: Record<string, unknown>[] }[]).find((c) => c.role === 'model')!;
    expect(model.parts).toEqual([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQBjz1rX-sig' }]);

    // A Claude target never sees it.
    const claude = anthropicMessagesBody(upstream(next, PROVIDERS.ANTHROPIC, 'claude-x'));
    expect(JSON.stringify(claude)).not.toContain('gw1.');
  });
});

describe('client-supplied values the door forwards are checked first', () => {
  it('an anthropic-beta value that is not a plain token is refused (it would go upstream as a header)', () => {
    for (const beta of ['x; y=1', 'a b', 'interleaved-thinking-2025-05-14,x=\u00e9', 'x'.repeat(200)]) {
      expect(() => parseMessagesRequest(hello, { beta })).toThrow(/anthropic-beta/);
    }
    expect(parseMessagesRequest(hello, { beta: ' claude-code-20250219 , context-1m-2025-08-07' }).input.anthropicBeta).toEqual([
      'claude-code-20250219',
      'context-1m-2025-08-07',
    ]);
  });

  it('a gw1. signature the door did not hand out is refused, never replayed to Claude as its own', () => {
    const forged = ['gw1.', 'gw1.!!!', `gw1.${Buffer.from('{"f":"other","d":"x"}').toString('base64url')}`, `gw1.${Buffer.from('[1]').toString('base64url')}`];
    for (const signature of forged) {
      const body = {
        ...hello,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature }, { type: 'text', text: 'ok' }] },
          { role: 'user', content: 'again' },
        ],
      };
      let err: unknown;
      try {
        anthropicMessagesBody(upstream(body, PROVIDERS.ANTHROPIC, 'claude-x'));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('BAD_USER_INPUT');
    }
  });
});
