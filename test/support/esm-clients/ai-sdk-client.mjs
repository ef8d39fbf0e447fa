// Runs the Vercel AI SDK against the gateway in a plain Node process: `ai`,
// `@ai-sdk/openai-compatible` and `@openrouter/ai-sdk-provider` are ESM-only, which jest's
// CommonJS module system cannot load. Input: one JSON argument; output: one JSON line.
import { jsonSchema, streamText, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';

const { provider, baseURL, token, model, prompt, withTool, headers } = JSON.parse(process.argv[2]);

const chatModel =
  provider === 'openrouter'
    ? createOpenRouter({ baseURL, apiKey: token, headers }).chat(model)
    : createOpenAICompatible({ name: 'byok', baseURL, apiKey: token, headers, includeUsage: true }).chatModel(model);

const tools = withTool
  ? {
      get_weather: tool({
        description: 'Weather in a city',
        inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
      }),
      get_time: tool({ description: 'The local time', inputSchema: jsonSchema({ type: 'object', properties: {} }) }),
    }
  : undefined;

const out = { text: '', reasoning: '', toolCalls: [], finishReason: null, usage: null, errors: [] };
try {
  const result = streamText({ model: chatModel, prompt, tools, maxRetries: 0 });
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') out.text += part.text;
    else if (part.type === 'reasoning-delta') out.reasoning += part.text;
    else if (part.type === 'tool-call') out.toolCalls.push({ id: part.toolCallId, name: part.toolName, input: part.input });
    else if (part.type === 'finish') {
      out.finishReason = part.finishReason;
      out.usage = part.totalUsage ?? null;
    } else if (part.type === 'error') out.errors.push(String(part.error?.message ?? part.error));
  }
} catch (err) {
  out.errors.push(String(err?.message ?? err));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
