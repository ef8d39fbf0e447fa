import { AppError } from '../../../src/errors/app-error';
import { ChatEventType, type ChatCompletionEventType } from '../../../src/modules/chat/chat-event.type';
import { KeySource } from '../../../src/modules/usage/usage-enums';
import { ProviderId } from '../../../src/providers/types';
import { openAiCompletion } from '../../../src/rest/openai/openai-completion';
import { OpenAiStreamRendering, completionIdentity } from '../../../src/rest/openai/openai-stream';

const RID = 'req-1';
const id = completionIdentity(RID, 'anthropic/claude-sonnet-4.5', 1_781_366_400_000);
const HEAD = '{"id":"chatcmpl-req-1","object":"chat.completion.chunk","created":1781366400,"model":"anthropic/claude-sonnet-4.5",';

const start: ChatCompletionEventType = { type: ChatEventType.START, requestId: RID, provider: ProviderId.ANTHROPIC, keySource: KeySource.BYOK, keyId: 'k1', keyHint: 'sk-ant-…f3a9', upstreamModel: 'claude-sonnet-4-5' };
const usage: ChatCompletionEventType = {
  type: ChatEventType.USAGE,
  requestId: RID,
  usage: { inputTokens: 812, outputTokens: 41, cachedInputTokens: 768, cacheWriteTokens: 0, reasoningTokens: 12, costMicroUsd: 1234, costKnown: true, estimated: false },
};

function render(events: ChatCompletionEventType[], includeUsage = true, error?: AppError): string {
  const r = new OpenAiStreamRendering(id, includeUsage);
  let out = events.map((e) => r.event(e)).join('');
  out += error ? r.error(error) : r.end();
  return out;
}

describe('OpenAI SSE rendering: byte-level goldens', () => {
  it('text', () => {
    const sse = render([start, { type: ChatEventType.DELTA, requestId: RID, content: 'Bon' }, { type: ChatEventType.DELTA, requestId: RID, content: 'jour "ça" va\n' }, usage, { type: ChatEventType.DONE, requestId: RID, finishReason: 'stop' }]);
    expect(sse).toBe(
      `data: ${HEAD}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"content":"Bon"},"finish_reason":null}],"usage":null}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"content":"jour \\"ça\\" va\\n"},"finish_reason":null}],"usage":null}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}\n\n` +
        `data: ${HEAD}"choices":[],"usage":{"prompt_tokens":812,"completion_tokens":41,"total_tokens":853,"prompt_tokens_details":{"cached_tokens":768,"cache_write_tokens":0},"completion_tokens_details":{"reasoning_tokens":12},"is_byok":true,"cost":0.001234}}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('text without include_usage: no usage field, no usage chunk', () => {
    const sse = render([start, { type: ChatEventType.DELTA, requestId: RID, content: 'Hi' }, usage, { type: ChatEventType.DONE, requestId: RID, finishReason: 'length' }], false);
    expect(sse).toBe(
      `data: ${HEAD}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('tool calls: first fragment with id, type and name; later ones arguments only; two parallel calls', () => {
    const sse = render(
      [
        start,
        { type: ChatEventType.DELTA, requestId: RID, content: 'Checking both.' },
        { type: ChatEventType.DELTA, requestId: RID, toolCalls: [{ index: 0, id: 'call_a1', name: 'get_weather', arguments: '' }] },
        { type: ChatEventType.DELTA, requestId: RID, toolCalls: [{ index: 0, arguments: '{"city":' }] },
        { type: ChatEventType.DELTA, requestId: RID, toolCalls: [{ index: 0, arguments: '"Paris"}' }, { index: 1, id: 'call_b2', name: 'get_time', arguments: '{}' }] },
        { type: ChatEventType.DONE, requestId: RID, finishReason: 'tool_calls' },
      ],
      false,
    );
    expect(sse).toBe(
      `data: ${HEAD}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"content":"Checking both."},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}},{"index":1,"id":"call_b2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('reasoning: delta.reasoning while thinking, the replay details before the finish chunk', () => {
    const details = [{ type: 'reasoning.text' as const, text: 'Two lookups.', signature: 'EqQBCgIYAh', format: 'anthropic-claude-v1' as const, index: 0 }];
    const sse = render(
      [
        start,
        { type: ChatEventType.DELTA, requestId: RID, reasoning: 'Two ' },
        { type: ChatEventType.DELTA, requestId: RID, reasoning: 'lookups.' },
        { type: ChatEventType.DELTA, requestId: RID, content: 'Done.' },
        { type: ChatEventType.DONE, requestId: RID, finishReason: 'stop', reasoningDetails: details },
      ],
      false,
    );
    expect(sse).toBe(
      `data: ${HEAD}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"reasoning":"Two "},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"reasoning":"lookups."},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"content":"Done."},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"reasoning_details":[{"type":"reasoning.text","text":"Two lookups.","signature":"EqQBCgIYAh","format":"anthropic-claude-v1","index":0}]},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('a failure after START: one OpenRouter error chunk with finish_reason "error", no [DONE]', () => {
    const err = new AppError('UPSTREAM_ERROR', 'Anthropic: stream broke off');
    const sse = render([start, { type: ChatEventType.DELTA, requestId: RID, content: 'Hal' }], false, err);
    expect(sse).toBe(
      `data: ${HEAD}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"choices":[{"index":0,"delta":{"content":"Hal"},"finish_reason":null}]}\n\n` +
        `data: ${HEAD}"provider":"Anthropic","error":{"message":"Anthropic: stream broke off","type":"upstream_error","code":"upstream_error","param":null},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}\n\n`,
    );
  });

  it('every data line is JSON a client can parse', () => {
    const sse = render([start, { type: ChatEventType.DELTA, requestId: RID, content: '\u2028 </script> \ud83d\udc4b' }, usage, { type: ChatEventType.DONE, requestId: RID, finishReason: 'stop' }]);
    const payloads = sse.split('\n\n').filter(Boolean).map((f) => f.replace(/^data: /, ''));
    expect(payloads.pop()).toBe('[DONE]');
    for (const p of payloads) expect(() => JSON.parse(p) as unknown).not.toThrow();
  });
});

describe('OpenAI non-stream assembly', () => {
  it('joins content, reasoning and tool-call fragments; content null with only calls', () => {
    const c = openAiCompletion(id, [
      start,
      { type: ChatEventType.DELTA, requestId: RID, reasoning: 'Hm.' },
      { type: ChatEventType.DELTA, requestId: RID, toolCalls: [{ index: 0, id: 'call_a1', name: 'get_weather', arguments: '' }] },
      { type: ChatEventType.DELTA, requestId: RID, toolCalls: [{ index: 0, arguments: '{"city":"Paris"}' }, { index: 1, id: 'call_b2', name: 'get_time', arguments: '{}' }] },
      usage,
      { type: ChatEventType.DONE, requestId: RID, finishReason: 'tool_calls' },
    ]);
    expect(c).toEqual({
      id: 'chatcmpl-req-1',
      object: 'chat.completion',
      created: 1781366400,
      model: 'anthropic/claude-sonnet-4.5',
      provider: 'Anthropic',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            reasoning: 'Hm.',
            tool_calls: [
              { id: 'call_a1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_b2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 812, completion_tokens: 41, total_tokens: 853, prompt_tokens_details: { cached_tokens: 768, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 12 }, cost: 0.001234, is_byok: true },
    });
  });
});
