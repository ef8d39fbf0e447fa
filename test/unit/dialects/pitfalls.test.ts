/**
 * One test per pitfall of tools.md §3, named after it: the evidence there is what real providers
 * and clients do; each test pins what the gateway does about it.
 */
import { anthropicMessagesBody } from '../../../src/providers/dialects/anthropic-messages-request';
import { AnthropicMessagesNormalizer } from '../../../src/providers/dialects/anthropic-messages';
import { BedrockStreamState } from '../../../src/providers/dialects/bedrock-converse';
import { checkBedrock, converseStreamInput } from '../../../src/providers/dialects/bedrock-request';
import { GeminiNormalizer } from '../../../src/providers/dialects/gemini';
import { GEMINI_DUMMY_SIGNATURE, checkGemini, geminiBody } from '../../../src/providers/dialects/gemini-request';
import { toGeminiSchema } from '../../../src/providers/dialects/gemini-schema';
import { OpenAiChatNormalizer } from '../../../src/providers/dialects/openai-chat';
import { openAiChatBody } from '../../../src/providers/dialects/openai-chat-request';
import type { SseEvent } from '../../../src/providers/dialects/sse-parser';
import { PROVIDERS } from '../../../src/providers/registry';
import type { ChatMessage, ReasoningDetail, ToolCallDelta } from '../../../src/providers/chat-model';
import { UnsupportedFeatureError, type UpstreamEvent } from '../../../src/providers/types';
import { chatParams } from '../../../src/modules/chat/chat-request';
import { ChatRole, type ChatCompletionInput } from '../../../src/modules/chat/chat.inputs';
import { AppError } from '../../../src/errors/app-error';

const credential = { kind: 'api_key', apiKey: 'sk-test' } as const;
type Json = Record<string, unknown>;

const user = (text: string): ChatMessage => ({ role: 'user', parts: [{ type: 'text', text }] });
const assistant = (text: string, calls: { id: string; name: string; arguments?: string }[] = [], reasoning: ReasoningDetail[] = []): ChatMessage => ({
  role: 'assistant',
  parts: text ? [{ type: 'text', text }] : [],
  toolCalls: calls.map((c) => ({ arguments: '{}', ...c })),
  reasoning,
});
const result = (id: string, name: string, text: string, isError = false): ChatMessage => ({ role: 'tool', toolCallId: id, toolName: name, parts: text ? [{ type: 'text', text }] : [], isError });
const TOOL = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

function run(normalizer: { push(e: SseEvent, out: UpstreamEvent[]): boolean; end(out: UpstreamEvent[]): void }, events: SseEvent[]): UpstreamEvent[] {
  const out: UpstreamEvent[] = [];
  for (const event of events) normalizer.push(event, out);
  normalizer.end(out);
  return out;
}
const pieces = (out: UpstreamEvent[]): ToolCallDelta[] => out.flatMap((e) => (e.type === 'delta' ? (e.toolCalls ?? []) : []));
const sse = (o: unknown, event?: string): SseEvent => ({ data: JSON.stringify(o), ...(event ? { event } : {}) });
const input = (over: Partial<ChatCompletionInput>): ChatCompletionInput => ({ model: 'openai/gpt-5.4', messages: [{ role: ChatRole.USER, content: 'hi' }], ...over });

describe('tools.md §3 pitfalls', () => {
  it('3.1 parallel calls need distinct, stable indexes', () => {
    // Gemini: each call whole, both at part position 0 of their chunk.
    const gemini = run(new GeminiNormalizer({ provider: PROVIDERS.GOOGLE, credential, upstreamModel: 'gemini-3' }), [
      sse({ candidates: [{ content: { parts: [{ functionCall: { name: 'a', args: {} } }] } }] }),
      sse({ candidates: [{ content: { parts: [{ functionCall: { name: 'b', args: { x: 1 } } }] } }] }),
    ]);
    expect(pieces(gemini).map((p) => [p.index, p.name])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    // OpenAI-compatible hosts that reuse index 0 for every call (Ollama): a new id is a new call.
    const reused = run(new OpenAiChatNormalizer({ provider: PROVIDERS.NOVITA, credential }), [
      sse({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'a', arguments: '{}' } }] } }] }),
      sse({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'c2', function: { name: 'b', arguments: '{"x":1}' } }] } }] }),
    ]);
    expect(pieces(reused).map((p) => [p.index, p.id])).toEqual([
      [0, 'c1'],
      [1, 'c2'],
    ]);
  });

  it('3.2 no-argument tools stream "" and become "{}"', () => {
    const anthropic = run(new AnthropicMessagesNormalizer({ provider: PROVIDERS.ANTHROPIC, credential, upstreamModel: 'm' }), [
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } }, 'content_block_start'),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } }, 'content_block_delta'),
      sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    ]);
    expect(pieces(anthropic)).toEqual([{ index: 0, id: 'toolu_1', name: 'now', arguments: '' }, { index: 0, arguments: '{}' }]);
    const bedrock = new BedrockStreamState({ provider: PROVIDERS.BEDROCK, upstreamModel: 'm' });
    const out = [
      ...bedrock.push({ contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't1', name: 'now' } } } }),
      ...bedrock.push({ contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '' } } } }),
      ...bedrock.push({ contentBlockStop: { contentBlockIndex: 1 } }),
      ...bedrock.end(),
    ];
    expect(pieces(out).map((p) => p.arguments)).toEqual(['', '{}']);
    // And on requests, empty arguments mean "{}".
    const p = chatParams(input({ messages: [{ role: ChatRole.USER, content: 'q' }, { role: ChatRole.ASSISTANT, toolCalls: [{ id: 'c', name: 'now', arguments: '' }] }, { role: ChatRole.TOOL, toolCallId: 'c', content: 'r' }] }));
    expect((p.messages[1] as Extract<ChatMessage, { role: 'assistant' }>).toolCalls[0]!.arguments).toBe('{}');
  });

  it('3.3 tool-call id constraints differ: mapped where they do not fit, the same way for call and result', () => {
    const messages = [user('q'), assistant('', [{ id: 'functions.get_weather:0', name: 'get_weather' }]), result('functions.get_weather:0', 'get_weather', 'r')];
    const mistral = openAiChatBody({ provider: PROVIDERS.MISTRAL, upstreamModel: 'm', messages }) as { messages: Json[] };
    const callId = ((mistral.messages[1]!.tool_calls as Json[])[0]!).id as string;
    expect(callId).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(mistral.messages[2]).toMatchObject({ role: 'tool', tool_call_id: callId, name: 'get_weather' });
    const anthropic = anthropicMessagesBody({ provider: PROVIDERS.MINIMAX, upstreamModel: 'm', messages }) as { messages: { content: Json[] }[] };
    const useId = anthropic.messages[1]!.content[0]!.id as string;
    expect(useId).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(anthropic.messages[2]!.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: useId });
    // Ids that fit are never rewritten (Kimi wants its own back exactly).
    const kimi = openAiChatBody({ provider: PROVIDERS.KIMI_CODING, upstreamModel: 'm', messages }) as { messages: Json[] };
    expect((kimi.messages[1]!.tool_calls as Json[])[0]!.id).toBe('functions.get_weather:0');
  });

  it('3.4 Gemini results need the function NAME; Gemini 3 needs thought signatures', () => {
    const messages = [user('q'), assistant('', [{ id: 'call_x', name: 'get_weather', arguments: '{"city":"Paris"}' }]), result('call_x', 'get_weather', '18')];
    const body = geminiBody({ provider: PROVIDERS.GOOGLE, upstreamModel: 'gemini-3-flash-preview', messages }) as { contents: { parts: Json[] }[] };
    expect(body.contents[1]!.parts[0]).toEqual({ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: GEMINI_DUMMY_SIGNATURE });
    expect(body.contents[2]!.parts[0]).toEqual({ functionResponse: { name: 'get_weather', response: { output: '18' } } });
    // A stored signature is replayed on its call's part instead of the dummy.
    const signed = geminiBody({
      provider: PROVIDERS.GOOGLE,
      upstreamModel: 'gemini-3-flash-preview',
      messages: [messages[0]!, assistant('', [{ id: 'call_x', name: 'get_weather' }], [{ type: 'reasoning.encrypted', data: 'SIG', id: 'call_x', format: 'google-gemini-v1', index: 0 }]), messages[2]!],
    }) as { contents: { parts: Json[] }[] };
    expect(signed.contents[1]!.parts[0]!.thoughtSignature).toBe('SIG');
    // A result for a call nobody made is refused: the name cannot be known.
    expect(() => chatParams(input({ messages: [{ role: ChatRole.USER, content: 'q' }, { role: ChatRole.TOOL, toolCallId: 'nope', content: 'r' }] }))).toThrow(/answers no call/);
  });

  it('3.5 Anthropic thinking is replayed first and unmodified, only with thinking on and to the same model', () => {
    const thinking: ReasoningDetail[] = [
      { type: 'reasoning.text', text: 'plan', signature: 'S1', format: 'anthropic-claude-v1', index: 0, gw: { v: 1, model: 'claude-a' } },
      { type: 'reasoning.encrypted', data: 'R1', format: 'anthropic-claude-v1', index: 1 },
    ];
    const messages = [user('q'), assistant('Checking.', [{ id: 'toolu_1', name: 'get_weather' }], thinking), result('toolu_1', 'get_weather', 'r')];
    const on = anthropicMessagesBody({ provider: PROVIDERS.MINIMAX, upstreamModel: 'claude-a', messages, tools: [TOOL], toolChoice: { type: 'required' }, reasoning: { maxTokens: 2000 } }) as Json & { messages: { content: Json[] }[] };
    expect(on.messages[1]!.content.map((b) => b.type)).toEqual(['thinking', 'redacted_thinking', 'text', 'tool_use']);
    expect(on.messages[1]!.content[0]).toEqual({ type: 'thinking', thinking: 'plan', signature: 'S1' });
    // Forced tool use is refused with manual thinking: downgraded to auto.
    expect(on.tool_choice).toEqual({ type: 'auto' });
    const off = anthropicMessagesBody({ provider: PROVIDERS.MINIMAX, upstreamModel: 'claude-a', messages, reasoning: { effort: 'none' } }) as { messages: { content: Json[] }[] };
    expect(off.messages[1]!.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    const otherModel = anthropicMessagesBody({ provider: PROVIDERS.MINIMAX, upstreamModel: 'claude-b', messages }) as { messages: { content: Json[] }[] };
    expect(otherModel.messages[1]!.content.map((b) => b.type)).toEqual(['redacted_thinking', 'text', 'tool_use']);
  });

  it('3.6 results come first in one user turn, and an unanswered call gets an error result', () => {
    const p = chatParams(
      input({
        messages: [
          { role: ChatRole.USER, content: 'q' },
          { role: ChatRole.ASSISTANT, toolCalls: [{ id: 'a', name: 'x', arguments: '{}' }, { id: 'b', name: 'y', arguments: '{}' }] },
          { role: ChatRole.TOOL, toolCallId: 'a', content: 'ra' },
          { role: ChatRole.USER, content: 'and?' },
        ],
      }),
    );
    expect(p.messages.map((m) => (m.role === 'tool' ? `tool:${m.toolCallId}:${m.isError}` : m.role))).toEqual(['user', 'assistant', 'tool:a:false', 'tool:b:true', 'user']);
    const body = anthropicMessagesBody({ provider: PROVIDERS.MINIMAX, upstreamModel: 'm', messages: p.messages }) as { messages: { role: string; content: Json[] }[] };
    expect(body.messages[2]!.content.map((b) => b.type)).toEqual(['tool_result', 'tool_result', 'text']);
    // Bedrock refuses blank result content, even on errors.
    const bedrock = converseStreamInput({ provider: PROVIDERS.BEDROCK, upstreamModel: 'amazon.nova', messages: [user('q'), assistant('', [{ id: 'a', name: 'x' }]), result('a', 'x', '', true)], tools: [TOOL] });
    expect(bedrock.messages![2]!.content![0]).toEqual({ toolResult: { toolUseId: 'a', content: [{ text: 'error' }], status: 'error' } });
  });

  it('3.7 Bedrock: no toolChoice none, and toolConfig whenever tool blocks are sent', () => {
    const messages = [user('q'), assistant('', [{ id: 'a', name: 'get_weather' }]), result('a', 'get_weather', 'r')];
    const none = converseStreamInput({ provider: PROVIDERS.BEDROCK, upstreamModel: 'amazon.nova', messages, tools: [TOOL], toolChoice: { type: 'none' } });
    expect(none.toolConfig).toBeUndefined();
    expect(JSON.stringify(none.messages)).not.toMatch(/toolUse|toolResult/);
    expect(JSON.stringify(none.messages)).toContain('get_weather');
    const auto = converseStreamInput({ provider: PROVIDERS.BEDROCK, upstreamModel: 'amazon.nova', messages, tools: [TOOL] });
    expect(auto.toolConfig?.tools).toHaveLength(1);
    expect(JSON.stringify(auto.messages)).toMatch(/toolUse/);
  });

  it('3.8 empty assistant content: blank text dropped, empty turns dropped, a final prefill trimmed', () => {
    const p = chatParams(
      input({
        messages: [
          { role: ChatRole.USER, content: 'q' },
          { role: ChatRole.ASSISTANT, content: '   ' },
          { role: ChatRole.USER, content: 'again' },
          { role: ChatRole.ASSISTANT, content: 'Sure: ' },
        ],
      }),
    );
    expect(p.messages.map((m) => m.role)).toEqual(['user', 'user', 'assistant']);
    const body = anthropicMessagesBody({ provider: PROVIDERS.MINIMAX, upstreamModel: 'm', messages: p.messages }) as { messages: Json[] };
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }, { type: 'text', text: 'again' }] },
      { role: 'assistant', content: 'Sure:' },
    ]);
    const gemini = geminiBody({ provider: PROVIDERS.GOOGLE, upstreamModel: 'gemini-2.5-pro', messages: [user('q'), assistant('')] }) as { contents: Json[] };
    expect(gemini.contents).toEqual([{ role: 'user', parts: [{ text: 'q' }] }]);
  });

  it('3.9 Gemini schema subset: refs inlined, nullable, enums as strings, unknown keys dropped, recursion refused', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties: {
        unit: { $ref: '#/$defs/unit' },
        note: { type: ['string', 'null'], const: undefined },
        level: { enum: [1, 2] },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        maybe: { anyOf: [{ type: 'integer', exclusiveMinimum: 0 }, { type: 'null' }] },
      },
      required: ['unit'],
      $defs: { unit: { type: 'string', enum: ['C', 'F'] } },
    };
    expect(toGeminiSchema(schema, 'Google')).toEqual({
      type: 'object',
      properties: {
        unit: { type: 'string', enum: ['C', 'F'] },
        note: { nullable: true, type: 'string' },
        level: { enum: ['1', '2'], type: 'string', format: 'enum' },
        tags: { type: 'array', items: { type: 'string' } },
        maybe: { nullable: true, type: 'integer' },
      },
      required: ['unit'],
    });
    const recursive = { type: 'object', properties: { child: { $ref: '#/$defs/node' } }, $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } } };
    expect(() => toGeminiSchema(recursive, 'Google')).toThrow(UnsupportedFeatureError);
  });

  it('3.10 Anthropic cache breakpoints: at most 4 (the latest win), never on empty text', () => {
    const mark = { cache: {} };
    const messages: ChatMessage[] = [
      { role: 'system', parts: [{ type: 'text', text: 's1', ...mark }, { type: 'text', text: 's2', ...mark }] },
      { role: 'user', parts: [{ type: 'text', text: 'u1', ...mark }] },
      assistant('a1'),
      { role: 'user', parts: [{ type: 'text', text: 'u2', ...mark }, { type: 'text', text: 'u3', ...mark }] },
    ];
    const body = anthropicMessagesBody({ provider: PROVIDERS.ANTHROPIC, upstreamModel: 'm', messages }) as Json;
    const text = JSON.stringify(body);
    expect(text.match(/cache_control/g)).toHaveLength(4);
    expect((body.system as Json[])[0]).not.toHaveProperty('cache_control');
    expect((body.system as Json[])[1]).toHaveProperty('cache_control');
    // Where the client sent none, Anthropic gets the system prompt and the last user turn marked.
    const auto = anthropicMessagesBody({ provider: PROVIDERS.ANTHROPIC, upstreamModel: 'm', messages: [{ role: 'system', parts: [{ type: 'text', text: 'sys' }] }, user('q')] }) as Json;
    expect(auto.system).toEqual([{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }]);
    expect(auto.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral' } }] }]);
  });

  it('3.11 image URLs: passed to OpenAI and Anthropic, refused (never fetched) for Gemini and Bedrock', () => {
    const messages: ChatMessage[] = [{ role: 'user', parts: [{ type: 'text', text: 'what?' }, { type: 'image', image: { kind: 'url', url: 'https://example.com/a.png' } }] }];
    expect(JSON.stringify(openAiChatBody({ provider: PROVIDERS.OPENAI, upstreamModel: 'm', messages }))).toContain('"image_url":{"url":"https://example.com/a.png"}');
    expect(JSON.stringify(anthropicMessagesBody({ provider: PROVIDERS.ANTHROPIC, upstreamModel: 'm', messages }))).toContain('"source":{"type":"url","url":"https://example.com/a.png"}');
    expect(() => checkGemini({ provider: PROVIDERS.GOOGLE, upstreamModel: 'm', messages })).toThrow(/Google AI Studio does not support image URLs|does not support image URLs/);
    expect(() => checkBedrock({ provider: PROVIDERS.BEDROCK, upstreamModel: 'm', messages })).toThrow(UnsupportedFeatureError);
  });

  it('3.12 images in tool results: OpenAI gets them in a following user message, Anthropic inside tool_result', () => {
    const image = { type: 'image' as const, image: { kind: 'base64' as const, mediaType: 'image/png' as const, data: 'iVBORw0KGgo=' } };
    const messages: ChatMessage[] = [user('q'), assistant('', [{ id: 'a', name: 'shot' }]), { role: 'tool', toolCallId: 'a', toolName: 'shot', parts: [{ type: 'text', text: 'done' }, image], isError: false }];
    const openai = openAiChatBody({ provider: PROVIDERS.OPENAI, upstreamModel: 'm', messages }) as { messages: Json[] };
    expect(openai.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: 'done' },
      { role: 'user', content: [{ type: 'text', text: 'Images returned by the tool calls above:' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    ]);
    const anthropic = anthropicMessagesBody({ provider: PROVIDERS.MINIMAX, upstreamModel: 'm', messages }) as { messages: { content: Json[] }[] };
    expect(anthropic.messages[2]!.content[0]).toEqual({
      type: 'tool_result',
      tool_use_id: 'a',
      content: [{ type: 'text', text: 'done' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }],
    });
  });
});

describe('bad tool input is refused before anything is sent', () => {
  it.each([
    ['a TOOL message without toolCallId', input({ messages: [{ role: ChatRole.USER, content: 'q' }, { role: ChatRole.TOOL, content: 'r' }] }), /needs toolCallId/],
    ['a tool name outside ^[a-zA-Z0-9_-]{1,64}$', input({ tools: [{ name: 'get weather' }] }), /tools\[0\]\.name/],
    ['parameters that are not an object schema', input({ tools: [{ name: 'x', parameters: { type: 'string' } }] }), /type "object"/],
    ['an image that is neither https nor an image data URL', input({ messages: [{ role: ChatRole.USER, parts: [{ type: 'IMAGE' as never, imageUrl: 'http://example.com/a.png' }] }] }), /https URL/],
    ['a data URL of another type', input({ messages: [{ role: ChatRole.USER, parts: [{ type: 'IMAGE' as never, imageUrl: 'data:text/html;base64,PGI+' }] }] }), /base64 data URL/],
    ['toolChoice naming an undeclared tool', input({ tools: [{ name: 'x' }], toolChoice: { name: 'y' } }), /not among tools/],
  ])('%s', (_name, request, message) => {
    let caught: unknown;
    try {
      chatParams(request);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('BAD_USER_INPUT');
    expect((caught as AppError).message).toMatch(message);
  });
});
