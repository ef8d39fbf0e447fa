import { AppError } from '../../../src/errors/app-error';
import { chatParams } from '../../../src/modules/chat/chat-request';
import { ChatRole, ContentPartType, ReasoningEffort, ResponseFormatType, ToolChoiceMode } from '../../../src/modules/chat/chat.inputs';
import { betaList, parseCountTokensRequest, parseMessagesRequest } from '../../../src/rest/anthropic/messages-request';

const PNG = 'iVBORw0KGgo=';

/** A Claude Code-shaped tool-use turn with thinking, cache markers and an image. */
const claudeCodeBody = {
  model: 'claude-sonnet-4-5',
  max_tokens: 32000,
  stream: true,
  system: [
    { type: 'text', text: 'You are Claude Code.' },
    { type: 'text', text: 'Project rules.', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ],
  tools: [
    { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
    { name: 'get_time', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } },
  ],
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  thinking: { type: 'enabled', budget_tokens: 2048 },
  stop_sequences: ['END'],
  temperature: 1,
  top_p: 0.99,
  top_k: 5,
  metadata: { user_id: 'user_abc' },
  context_management: { edits: [] },
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather and time?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Two lookups.', signature: 'EqQBsig' },
        { type: 'redacted_thinking', data: 'EmwKAh' },
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_01B', name: 'get_time', input: {}, cache_control: { type: 'ephemeral' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01A', content: '18°C' },
        { type: 'tool_result', tool_use_id: 'toolu_01B', content: [{ type: 'text', text: 'clock broke' }], is_error: true, cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'And tomorrow?', cache_control: { type: 'ephemeral', ttl: '5m' } },
      ],
    },
  ],
};

describe('Anthropic Messages request → ChatCompletionInput', () => {
  it('maps every block kind, cache marker, thinking and tool setting, in order', () => {
    const { input, stream } = parseMessagesRequest(claudeCodeBody, { beta: 'interleaved-thinking-2025-05-14, fine-grained-tool-streaming-2025-05-14' });
    expect(stream).toBe(true);
    expect(input).toEqual({
      model: 'claude-sonnet-4-5',
      maxTokens: 32000,
      temperature: 1,
      topP: 0.99,
      topK: 5,
      stop: ['END'],
      tools: [
        { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        { name: 'get_time', parameters: { type: 'object', properties: {} }, cache: {} },
      ],
      toolChoice: { mode: ToolChoiceMode.AUTO },
      parallelToolCalls: false,
      reasoning: { maxTokens: 2048 },
      anthropicBeta: ['interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14'],
      messages: [
        {
          role: ChatRole.SYSTEM,
          parts: [
            { type: ContentPartType.TEXT, text: 'You are Claude Code.' },
            { type: ContentPartType.TEXT, text: 'Project rules.', cache: { ttl: '1h' } },
          ],
        },
        {
          role: ChatRole.USER,
          parts: [
            { type: ContentPartType.TEXT, text: 'Weather and time?' },
            { type: ContentPartType.IMAGE, imageUrl: `data:image/png;base64,${PNG}` },
            { type: ContentPartType.IMAGE, imageUrl: 'https://example.com/a.jpg' },
          ],
        },
        {
          role: ChatRole.ASSISTANT,
          parts: [{ type: ContentPartType.TEXT, text: 'Checking both.' }],
          toolCalls: [
            { id: 'toolu_01A', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'toolu_01B', name: 'get_time', arguments: '{}' },
          ],
          reasoningDetails: [
            { type: 'reasoning.text', text: 'Two lookups.', signature: 'EqQBsig', format: 'anthropic-claude-v1', index: 0 },
            { type: 'reasoning.encrypted', data: 'EmwKAh', format: 'anthropic-claude-v1', index: 1 },
          ],
          cache: {},
        },
        { role: ChatRole.TOOL, toolCallId: 'toolu_01A', isError: false, content: '18°C' },
        { role: ChatRole.TOOL, toolCallId: 'toolu_01B', isError: true, parts: [{ type: ContentPartType.TEXT, text: 'clock broke' }], cache: {} },
        { role: ChatRole.USER, parts: [{ type: ContentPartType.TEXT, text: 'And tomorrow?', cache: { ttl: '5m' } }] },
      ],
      anthropicThinking: { type: 'enabled', budget_tokens: 2048 },
    });
  });

  it('passes the shared validation into the internal model (tool results resolved to names, replay details kept)', () => {
    const p = chatParams(parseMessagesRequest(claudeCodeBody).input);
    expect(p.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'user']);
    expect(p.messages[3]).toEqual({ role: 'tool', toolCallId: 'toolu_01A', toolName: 'get_weather', parts: [{ type: 'text', text: '18°C' }], isError: false });
    expect(p.messages[4]).toMatchObject({ toolName: 'get_time', isError: true, cache: {} });
    expect(p.messages[1]).toMatchObject({ parts: [{ type: 'text' }, { type: 'image', image: { kind: 'base64', mediaType: 'image/png', data: PNG } }, { type: 'image', image: { kind: 'url' } }] });
    const assistant = p.messages[2];
    expect(assistant?.role === 'assistant' && assistant.reasoning.map((d) => d.type)).toEqual(['reasoning.text', 'reasoning.encrypted']);
    expect(p.toolChoice).toEqual({ type: 'auto' });
    expect(p.reasoning).toEqual({ maxTokens: 2048 });
  });

  it('maps tool_choice, adaptive thinking with effort, output_config.format and a top-level cache marker', () => {
    const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const tools = [{ name: 't', input_schema: { type: 'object' } }];
    expect(parseMessagesRequest({ ...base, tools, tool_choice: { type: 'any' } }).input.toolChoice).toEqual({ mode: ToolChoiceMode.REQUIRED });
    expect(parseMessagesRequest({ ...base, tools, tool_choice: { type: 'tool', name: 't' } }).input.toolChoice).toEqual({ name: 't' });
    expect(parseMessagesRequest({ ...base, tools, tool_choice: { type: 'none' } }).input.toolChoice).toEqual({ mode: ToolChoiceMode.NONE });
    const adaptive = parseMessagesRequest({ ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'low' } }).input;
    expect(adaptive.reasoning).toEqual({ effort: ReasoningEffort.LOW });
    expect(parseMessagesRequest({ ...base, thinking: { type: 'adaptive' } }).input.reasoning).toEqual({ effort: ReasoningEffort.HIGH });
    expect(parseMessagesRequest({ ...base, thinking: { type: 'disabled' } }).input.reasoning).toEqual({ effort: ReasoningEffort.NONE });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const fmt = parseMessagesRequest({ ...base, output_config: { format: { type: 'json_schema', schema } }, cache_control: { type: 'ephemeral' } }).input;
    expect(fmt.responseFormat).toEqual({ type: ResponseFormatType.JSON_SCHEMA, schema });
    expect(fmt.cache).toEqual({});
    expect(parseMessagesRequest(base)).toEqual({ input: { model: 'm', maxTokens: 10, messages: [{ role: ChatRole.USER, content: 'hi' }] }, stream: false });
  });

  it('count_tokens needs no max_tokens', () => {
    expect(parseCountTokensRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).toEqual({ model: 'm', messages: [{ role: ChatRole.USER, content: 'hi' }] });
  });

  it.each([
    [{ model: 'm', messages: [] }, 'max_tokens: Required'],
    [{ model: 'm', max_tokens: 0, messages: [] }, 'max_tokens: Number must be greater than or equal to 1'],
    [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages.0.content'],
    [{ model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role: Invalid discriminator value'],
    [{ model: 'm', max_tokens: 5, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'n', input: 'x' }] }] }, 'messages.0.content'],
    [{ model: 'm', max_tokens: 5, messages: [], tools: [{ type: 'web_search_20250305', name: 'web_search', input_schema: {} }] }, 'tools.0.type'],
    [{ model: 'm', max_tokens: 5, messages: [], thinking: { type: 'enabled' } }, 'thinking.budget_tokens: Required'],
    [[1, 2], 'The request body must be a JSON object'],
  ])('refuses %j with a BAD_USER_INPUT naming the field', (body, message) => {
    let err: unknown;
    try {
      parseMessagesRequest(body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_USER_INPUT');
    expect((err as AppError).message).toContain(message);
  });

  it('reads anthropic-beta as a comma list, repeated or not', () => {
    expect(betaList(undefined)).toEqual([]);
    expect(betaList(' a , b,,')).toEqual(['a', 'b']);
    expect(betaList(['a', 'b,c'])).toEqual(['a', 'b', 'c']);
  });
});
