import { AppError } from '../../../src/errors/app-error';
import { ChatRole, ContentPartType, ReasoningEffort, ResponseFormatType, ToolChoiceMode } from '../../../src/modules/chat/chat.inputs';
import { ProviderId } from '../../../src/providers/types';
import { parseOpenAiRequest } from '../../../src/rest/openai/openai-request';

const base = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }] };

function badParam(body: unknown): string | undefined {
  try {
    parseOpenAiRequest(body, null);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_USER_INPUT');
    return (err as AppError).extensions.field as string;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('OpenAI request → ChatCompletionInput', () => {
  it('maps every listed field, the org header and OpenRouter extras', () => {
    const r = parseOpenAiRequest(
      {
        model: 'anthropic/claude-sonnet-4.5',
        messages: [
          { role: 'developer', content: [{ type: 'text', text: 'Rules.', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
          { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'ls', arguments: '{"p":"."}' } }], reasoning_details: [{ type: 'reasoning.text', text: 't', format: 'unknown', index: 0 }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'a.txt' },
        ],
        tools: [{ type: 'function', function: { name: 'ls', description: 'List', parameters: { type: 'object', properties: {} }, strict: true } }],
        tool_choice: { type: 'function', function: { name: 'ls' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
        max_tokens: 100,
        max_completion_tokens: 200,
        temperature: 0.2,
        top_p: 0.9,
        stop: 'END',
        reasoning: { effort: 'high', max_tokens: 2048, exclude: true },
        provider: { only: ['amazon-bedrock'] },
        stream: true,
        usage: { include: true },
        textVerbosity: 'low',
        some_future_field: { anything: 1 },
      },
      'org-1',
    );
    expect(r.stream).toBe(true);
    expect(r.includeUsage).toBe(true);
    expect(r.input).toEqual({
      model: 'anthropic/claude-sonnet-4.5',
      organizationId: 'org-1',
      messages: [
        { role: ChatRole.SYSTEM, parts: [{ type: ContentPartType.TEXT, text: 'Rules.', cache: { ttl: '1h' } }] },
        { role: ChatRole.USER, parts: [{ type: ContentPartType.TEXT, text: 'Look' }, { type: ContentPartType.IMAGE, imageUrl: 'data:image/png;base64,AAAA' }] },
        { role: ChatRole.ASSISTANT, toolCalls: [{ id: 'call_1', name: 'ls', arguments: '{"p":"."}' }], reasoningDetails: [{ type: 'reasoning.text', text: 't', format: 'unknown', index: 0 }] },
        { role: ChatRole.TOOL, content: 'a.txt', toolCallId: 'call_1' },
      ],
      tools: [{ name: 'ls', description: 'List', parameters: { type: 'object', properties: {} }, strict: true }],
      toolChoice: { mode: ToolChoiceMode.REQUIRED, name: 'ls' },
      parallelToolCalls: false,
      responseFormat: { type: ResponseFormatType.JSON_SCHEMA, name: 'out', schema: { type: 'object' }, strict: true },
      maxTokens: 200,
      temperature: 0.2,
      topP: 0.9,
      stop: ['END'],
      reasoning: { effort: ReasoningEffort.HIGH, maxTokens: 2048, exclude: true },
      provider: ProviderId.BEDROCK,
    });
  });

  it('reasoning_effort, reasoningEffort, enabled and include_reasoning', () => {
    expect(parseOpenAiRequest({ ...base, reasoning_effort: 'minimal' }, null).input.reasoning).toEqual({ effort: ReasoningEffort.MINIMAL });
    expect(parseOpenAiRequest({ ...base, reasoningEffort: 'low' }, null).input.reasoning).toEqual({ effort: ReasoningEffort.LOW });
    // A camelCase extra that is not ours to judge is ignored, not a 400.
    expect(parseOpenAiRequest({ ...base, reasoningEffort: 'turbo' }, null).input.reasoning).toBeUndefined();
    expect(parseOpenAiRequest({ ...base, reasoning: { enabled: false } }, null).input.reasoning).toEqual({ effort: ReasoningEffort.NONE });
    expect(parseOpenAiRequest({ ...base, include_reasoning: false }, null).input.reasoning).toEqual({ exclude: true });
    expect(parseOpenAiRequest({ ...base, stream_options: { include_usage: true } }, null).includeUsage).toBe(true);
    expect(parseOpenAiRequest(base, null)).toMatchObject({ stream: false, includeUsage: false });
  });

  it('provider.order narrows only without fallbacks; several in only keep the model order', () => {
    expect(parseOpenAiRequest({ ...base, provider: { order: ['anthropic'] } }, null).input.provider).toBeUndefined();
    expect(parseOpenAiRequest({ ...base, provider: { order: ['anthropic'], allow_fallbacks: false } }, null).input.provider).toBe(ProviderId.ANTHROPIC);
    expect(parseOpenAiRequest({ ...base, provider: { only: ['anthropic', 'bedrock'] } }, null).input.provider).toBeUndefined();
    expect(badParam({ ...base, provider: { only: ['deepinfra'] } })).toBe('provider.only');
  });

  it('wrong types are a 400 naming the parameter', () => {
    expect(badParam(null)).toBe('body');
    expect(badParam([])).toBe('body');
    expect(badParam({ messages: [] })).toBe('model');
    expect(badParam({ model: 5, messages: [] })).toBe('model');
    expect(badParam({ model: 'm' })).toBe('messages');
    expect(badParam({ ...base, messages: [{ role: 'wizard', content: 'x' }] })).toBe('messages[0].role');
    expect(badParam({ ...base, messages: [{ role: 'user', content: 7 }] })).toBe('messages[0].content');
    expect(badParam({ ...base, messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] })).toBe('messages[0].content[0].type');
    expect(badParam({ ...base, messages: [{ role: 'tool', content: 'x' }] })).toBe('messages[0].tool_call_id');
    expect(badParam({ ...base, temperature: '0.5' })).toBe('temperature');
    expect(badParam({ ...base, max_tokens: 1.5 })).toBe('max_tokens');
    expect(badParam({ ...base, tools: [{ type: 'web_search' }] })).toBe('tools[0].type');
    expect(badParam({ ...base, tool_choice: 'sometimes' })).toBe('tool_choice');
    expect(badParam({ ...base, stream: 'yes' })).toBe('stream');
    expect(badParam({ ...base, n: 2 })).toBe('n');
    expect(badParam({ ...base, reasoning_effort: 'extreme' })).toBe('reasoning_effort');
  });
});
