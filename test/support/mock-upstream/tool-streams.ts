/**
 * Which recorded tool-loop stream answers a chat request that declares tools
 * (test/fixtures/providers/tools/, sources in its README): turn 1 (two parallel calls, one
 * without arguments, with reasoning and its signatures) while the history holds no tool result,
 * turn 2 (the final answer) once it does. Read from the request body in the dialect's own form.
 */
import type { MockDialect } from './routes';

const FILES: Record<MockDialect, { ext: string; hasTools(b: Body): boolean; hasResults(b: Body): boolean }> = {
  openai: {
    ext: 'sse',
    hasTools: (b) => Array.isArray(b.tools),
    hasResults: (b) => list(b.messages).some((m) => m.role === 'tool'),
  },
  anthropic: {
    ext: 'sse',
    hasTools: (b) => Array.isArray(b.tools),
    hasResults: (b) => list(b.messages).some((m) => list(m.content).some((c) => c.type === 'tool_result')),
  },
  gemini: {
    ext: 'sse',
    hasTools: (b) => Array.isArray(b.tools),
    hasResults: (b) => list(b.contents).some((m) => list(m.parts).some((p) => p.functionResponse !== undefined)),
  },
  bedrock: {
    ext: 'jsonl',
    hasTools: (b) => typeof b.toolConfig === 'object' && b.toolConfig !== null,
    hasResults: (b) => list(b.messages).some((m) => list(m.content).some((c) => c.toolResult !== undefined)),
  },
};

type Body = Record<string, unknown>;

function list(v: unknown): Body[] {
  return Array.isArray(v) ? v.filter((x): x is Body => typeof x === 'object' && x !== null) : [];
}

/** The fixture file (relative to test/fixtures/providers) for this request, or undefined. */
export function toolStreamFile(dialect: MockDialect, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const f = FILES[dialect];
  const b = body as Body;
  if (!f.hasTools(b)) return undefined;
  return `tools/${dialect}-turn${f.hasResults(b) ? 2 : 1}.${f.ext}`;
}
