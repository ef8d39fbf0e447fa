import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatEventType, type ChatCompletionEventType } from '../../../src/modules/chat/chat-event.type';
import type { ReasoningDetail, ToolCallDelta } from '../../../src/providers/chat-model';
import { ProviderId } from '../../../src/providers/types';
import { KeySource } from '../../../src/modules/usage/usage-enums.type';
import { MessageAssembler } from '../../../src/rest/anthropic/message-assembler';
import { MessageRenderer, stopReasonOf, type RenderOptions } from '../../../src/rest/anthropic/message-renderer';
import { sseFrames, type AnthropicStreamEvent } from '../../../src/rest/anthropic/stream-events';

const golden = (name: string) => readFileSync(join(__dirname, '../../fixtures/rest/anthropic', name), 'utf8');

const requestId = 'req-1';
const start: ChatCompletionEventType = {
  type: ChatEventType.START,
  requestId,
  provider: ProviderId.ANTHROPIC,
  keySource: KeySource.BYOK,
  keyId: 'k1',
  keyHint: 'sk-…f3a9',
  upstreamModel: 'claude-x',
};
const text = (content: string): ChatCompletionEventType => ({ type: ChatEventType.DELTA, requestId, content });
const think = (reasoning: string): ChatCompletionEventType => ({ type: ChatEventType.DELTA, requestId, reasoning });
const calls = (...toolCalls: ToolCallDelta[]): ChatCompletionEventType => ({ type: ChatEventType.DELTA, requestId, toolCalls });
const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0, cacheWriteTokens = 0): ChatCompletionEventType => ({
  type: ChatEventType.USAGE,
  requestId,
  usage: { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens: 0, costMicroUsd: 0, costKnown: true, estimated: false },
});
const done = (finishReason: string, reasoningDetails?: ReasoningDetail[]): ChatCompletionEventType => ({
  type: ChatEventType.DONE,
  requestId,
  finishReason,
  ...(reasoningDetails ? { reasoningDetails } : {}),
});

const opts: RenderOptions = { messageId: 'msg_01', model: 'claude-x', inputTokensEstimate: () => 10 };
const seal = (sealed: ReasoningDetail): ChatCompletionEventType => ({ type: ChatEventType.DELTA, requestId, sealed });

/** Renders a whole stream and returns its bytes, and the events after each input (to see what waits). */
function render(events: ChatCompletionEventType[], o: RenderOptions = opts): { bytes: string; steps: AnthropicStreamEvent[][] } {
  const r = new MessageRenderer(o);
  const steps = [r.start(), ...events.map((e) => r.push(e))];
  return { bytes: sseFrames(steps.flat()), steps };
}

describe('Anthropic Messages SSE rendering (byte-level goldens)', () => {
  it('text: message_start, one text block, cumulative usage with cache tokens, message_stop', () => {
    const { bytes } = render([start, text('Hello'), text(', world'), usage(1000, 7, 768, 200), done('stop')]);
    expect(bytes).toBe(golden('text.sse'));
  });

  it('tool use: text, then two calls with our own dense block indexes, stop_reason tool_use', () => {
    const { bytes } = render([
      start,
      text('Checking both.'),
      calls({ index: 0, id: 'toolu_01A', name: 'get_weather', arguments: '' }),
      calls({ index: 0, arguments: '{"city": "Par' }),
      calls({ index: 0, arguments: 'is"}' }),
      calls({ index: 1, id: 'toolu_01B', name: 'get_time', arguments: '{}' }),
      usage(44, 96),
      done('tool_calls'),
    ]);
    expect(bytes).toBe(golden('tool-use.sse'));
  });

  it('thinking: the sealed detail puts the signature_delta right before the thinking block stops', () => {
    const detail: ReasoningDetail = { type: 'reasoning.text', text: 'Two lookups.', signature: 'EqQBsig', format: 'anthropic-claude-v1', index: 0 };
    const { bytes, steps } = render([start, think('Two '), think('lookups.'), seal(detail), text('Checking.'), usage(44, 20), done('stop', [detail])]);
    expect(bytes).toBe(golden('thinking.sse'));
    // Everything is written as it arrives: the seal closes the block before the text starts.
    expect(steps[4]!.map((e) => e.type)).toEqual(['content_block_delta', 'content_block_stop']);
    expect(steps[5]!.map((e) => e.type)).toEqual(['content_block_start', 'content_block_delta']);
  });

  it('thinking nobody signs ends without a signature when the text starts', () => {
    const { steps } = render([{ ...start, provider: ProviderId.MOONSHOTAI }, think('Hmm.'), text('Hi'), done('stop')]);
    expect(steps[3]).toEqual([
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi' } },
    ]);
  });

  it('a seal without streamed thinking (display omitted) and a redacted block come whole, where they were; a Gemini signature rides last as an empty thinking block', () => {
    const omitted: ReasoningDetail = { type: 'reasoning.text', text: '', signature: 'sigA', format: 'anthropic-claude-v1', index: 0 };
    const redacted: ReasoningDetail = { type: 'reasoning.encrypted', data: 'EmwKAh', format: 'anthropic-claude-v1', index: 1 };
    const gemini: ReasoningDetail = { type: 'reasoning.encrypted', data: 'gem', format: 'google-gemini-v1', index: 2, id: 'call_1' };
    const r = new MessageRenderer(opts);
    const a = new MessageAssembler();
    a.add(r.start());
    for (const e of [start, seal(omitted), seal(redacted), text('Hi'), seal(gemini), usage(5, 1), done('stop', [omitted, redacted, gemini])]) a.add(r.push(e));
    expect(a.result().content).toEqual([
      { type: 'thinking', thinking: '', signature: 'sigA' },
      { type: 'redacted_thinking', data: 'EmwKAh' },
      { type: 'text', text: 'Hi' },
      { type: 'thinking', thinking: '', signature: expect.stringMatching(/^gw1\./) },
    ]);
  });

  it('details only DONE brings (no seals) still reach the client, after the rest', () => {
    const detail: ReasoningDetail = { type: 'reasoning.text', text: 'x', signature: 'sigB', format: 'anthropic-claude-v1', index: 0 };
    const r = new MessageRenderer(opts);
    const a = new MessageAssembler();
    a.add(r.start());
    for (const e of [start, text('Hi'), done('stop', [detail])]) a.add(r.push(e));
    expect(a.result().content).toEqual([
      { type: 'text', text: 'Hi' },
      { type: 'thinking', thinking: 'x', signature: 'sigB' },
    ]);
  });

  it('assembles the non-streaming message from the same events', () => {
    const r = new MessageRenderer(opts);
    const a = new MessageAssembler();
    a.add(r.start());
    const details: ReasoningDetail[] = [{ type: 'reasoning.text', text: 'Plan.', signature: 'sig1', format: 'anthropic-claude-v1', index: 0 }];
    for (const e of [
      start,
      think('Plan.'),
      seal(details[0]!),
      text('Sure.'),
      calls({ index: 0, id: 'toolu_1', name: 'noargs', arguments: '' }),
      calls({ index: 1, id: 'toolu_2', name: 'get', arguments: '{"q":' }),
      calls({ index: 1, arguments: '"x"}' }),
      usage(1200, 50, 1000, 0),
      done('tool_calls', details),
    ]) {
      a.add(r.push(e));
    }
    expect(a.result()).toEqual({
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'Plan.', signature: 'sig1' },
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'toolu_1', name: 'noargs', input: {} },
        { type: 'tool_use', id: 'toolu_2', name: 'get', input: { q: 'x' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 200, cache_creation_input_tokens: 0, cache_read_input_tokens: 1000, output_tokens: 50 },
    });
  });

  it('maps finish reasons to stop reasons', () => {
    expect(stopReasonOf('stop', false)).toBe('end_turn');
    expect(stopReasonOf('length', false)).toBe('max_tokens');
    expect(stopReasonOf('tool_calls', true)).toBe('tool_use');
    expect(stopReasonOf('content_filter', false)).toBe('refusal');
    expect(stopReasonOf('stop_sequence', false)).toBe('stop_sequence');
    expect(stopReasonOf('pause_turn', false)).toBe('pause_turn');
    // A provider that says "stop" after calling tools: Anthropic clients only run tools on tool_use.
    expect(stopReasonOf('stop', true)).toBe('tool_use');
    expect(stopReasonOf('SAFETY_WHATEVER', false)).toBe('end_turn');
  });
});
