/**
 * A realistic coding-agent request body (~100 KB), as agents send on every turn: a long system
 * prompt as text parts, a short conversation and two dozen tools with JSON schemas. Built once
 * per process; deterministic, so every target sends the same bytes.
 */
import { promptMessages, type BodyKind } from './protocol';

const PARAGRAPH =
  'You are an autonomous coding agent working in the user\'s repository. Read files before editing them, keep changes small, ' +
  'run the tests that cover what you touched, and explain what you did. Never invent file contents; ask when unsure. ';

function tool(i: number): Record<string, unknown> {
  return {
    type: 'function',
    function: {
      name: `tool_${i}_${['read_file', 'write_file', 'search', 'run_command', 'list_dir', 'apply_patch'][i % 6]}`,
      description: `${PARAGRAPH.slice(0, 400)} Tool ${i}.`,
      parameters: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'Path relative to the workspace root' },
          content: { type: 'string', description: 'Full new content of the file' },
          options: {
            type: 'object',
            properties: {
              recursive: { type: 'boolean', description: 'Descend into directories' },
              max_results: { type: 'integer', minimum: 1, maximum: 1000 },
              include: { type: 'array', items: { type: 'string' }, description: 'Glob patterns to include' },
              exclude: { type: 'array', items: { type: 'string' }, description: 'Glob patterns to exclude' },
            },
            additionalProperties: false,
          },
          mode: { type: 'string', enum: ['overwrite', 'append', 'patch'] },
        },
        required: ['path'],
        additionalProperties: false,
      },
    },
  };
}

/**
 * The same request in Anthropic's Messages shape, for the Messages door (m): the system prompt as
 * text blocks, the tools with `input_schema` (Anthropic requires `max_tokens`).
 */
export function messagesBody(kind: BodyKind, model: string, messages: number, stream: boolean): string {
  const base: Record<string, unknown> = { model, stream, max_tokens: 4096 };
  if (kind === 'tiny') return JSON.stringify({ ...base, messages: promptMessages(messages) });
  const system = Array.from({ length: 8 }, (_, i) => ({ type: 'text', text: `## Section ${i + 1}\n${PARAGRAPH.repeat(40)}` }));
  return JSON.stringify({
    ...base,
    system,
    messages: promptMessages(Math.max(1, messages)),
    tools: Array.from({ length: 24 }, (_, i) => {
      const f = (tool(i) as { function: { name: string; description: string; parameters: unknown } }).function;
      return { name: f.name, description: f.description, input_schema: f.parameters };
    }),
    tool_choice: { type: 'auto' },
    temperature: 0.2,
  });
}

/**
 * The OpenAI-shaped body for `model`: the prompt alone (`tiny`) or the agent's (`agent`), plus
 * `extraTool` (the `--kind tools` stream's tool, which the upstream then calls) when given.
 */
export function chatBody(kind: BodyKind, model: string, messages: number, stream: boolean, extraTool?: object): string {
  const base: Record<string, unknown> = { model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) };
  const extra = extraTool ? [{ type: 'function', function: extraTool }] : [];
  if (kind === 'tiny') return JSON.stringify({ ...base, messages: promptMessages(messages), ...(extra.length ? { tools: extra } : {}) });
  const system = Array.from({ length: 8 }, (_, i) => ({ type: 'text', text: `## Section ${i + 1}\n${PARAGRAPH.repeat(40)}` }));
  return JSON.stringify({
    ...base,
    messages: [{ role: 'system', content: system }, ...promptMessages(Math.max(1, messages))],
    tools: [...Array.from({ length: 24 }, (_, i) => tool(i)), ...extra],
    tool_choice: 'auto',
    parallel_tool_calls: true,
    max_tokens: 4096,
    temperature: 0.2,
  });
}
