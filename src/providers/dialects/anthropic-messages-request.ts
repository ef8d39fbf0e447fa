/**
 * The Anthropic Messages request body (tools.md §1.2) from the internal model: tools with
 * `input_schema`, tool_choice any/tool/none with `disable_parallel_tool_use`, tool results as
 * `tool_result` blocks first in one user message, images as image blocks, thinking with a budget,
 * thinking blocks replayed first and unmodified (§3.5), and prompt-cache breakpoints (§3.10).
 */
import type { CacheMark, ChatMessage, ContentPart, TextPart } from '../chat-model';
import { ProviderId, UnsupportedFeatureError } from '../types';
import type { UpstreamChatRequest } from '../types';
import type { JsonObject } from './json';
import { argumentsObject, turnAppender } from './message-text';
import { claudeThinking } from './reasoning-replay';
import { SAFE_ID, toolIdMap } from './tool-ids';

type BodyRequest = Omit<UpstreamChatRequest, 'credential' | 'endpoints' | 'signal'>;

/** Anthropic requires `max_tokens`; used when the caller sets no cap. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;
/** At most 4 blocks may carry cache_control (§1.2). */
const MAX_BREAKPOINTS = 4;
/** LiteLLM's effort → budget map (§4.3); Anthropic's minimum budget is 1024. */
const BUDGET = { minimal: 1024, low: 1024, medium: 2048, high: 4096 } as const;

/**
 * `max_tokens` with thinking: the caller's cap counts thinking too (as Anthropic's own clients
 * send it: Claude Code's 32000 with a 31999 budget), but the budget must stay below it; without a
 * cap, or with one at or under the budget, the answer keeps the default room after the budget.
 */
export function outputCap(maxTokens: number | undefined, fallback: number, budget: number): number {
  if (maxTokens === undefined) return fallback + budget;
  return budget > 0 && maxTokens <= budget ? budget + maxTokens : maxTokens;
}

export function checkAnthropicMessages(req: BodyRequest): void {
  if (req.responseFormat?.type === 'json_object') {
    throw new UnsupportedFeatureError(req.provider.name, 'responseFormat JSON_OBJECT (send JSON_SCHEMA with a schema)');
  }
}

/**
 * Whether the target is Claude itself (Anthropic, or Bedrock's Claude models): it takes the
 * Anthropic door's `thinking` object and `output_config.effort` as sent. The other hosts of the
 * Anthropic dialect (MiniMax, Kimi Code, Z.ai, BytePlus…) document only `enabled`/`disabled`
 * (tools.md §4.3 table), so they get those two types reduced to `{type, budget_tokens}` and
 * anything else (`adaptive`, types to come) as derived from the reasoning settings.
 */
function claudeTarget(req: Pick<BodyRequest, 'provider'>): boolean {
  return req.provider.id === ProviderId.ANTHROPIC || req.provider.id === ProviderId.BEDROCK;
}

/**
 * The thinking config, or undefined when the request leaves it to the model: the client's own
 * object when it came through the Anthropic door (for Claude every type as sent: `enabled`,
 * `adaptive`, `disabled`, with `display` and the like; see `claudeTarget` for other hosts), else
 * derived from the reasoning settings (§4.3).
 */
export function anthropicThinking(req: Pick<BodyRequest, 'reasoning' | 'anthropicThinking' | 'provider'>): JsonObject | undefined {
  const sent = req.anthropicThinking;
  if (sent && claudeTarget(req)) return { ...sent };
  if (sent?.type === 'disabled') return { type: 'disabled' };
  if (sent?.type === 'enabled' && typeof sent.budget_tokens === 'number') return { type: 'enabled', budget_tokens: sent.budget_tokens };
  const r = req.reasoning;
  if (!r) return undefined;
  if (r.effort === 'none' || r.maxTokens === 0) return { type: 'disabled' };
  if (r.maxTokens !== undefined) return { type: 'enabled', budget_tokens: Math.max(1024, r.maxTokens) };
  if (r.effort !== undefined) return { type: 'enabled', budget_tokens: BUDGET[r.effort] };
  return undefined;
}

/** Whether thinking is on (manual or adaptive): sampling changes are refused then (§1.2). */
export function thinkingIsOn(thinking: JsonObject | undefined): boolean {
  return thinking !== undefined && thinking.type !== 'disabled';
}

/** The manual budget (`enabled`), else 0. */
export function thinkingBudget(thinking: JsonObject | undefined): number {
  return thinking?.type === 'enabled' && typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : 0;
}

/**
 * The client's `anthropic-version` and `anthropic-beta` as headers for an Anthropic-dialect
 * upstream (they replace the provider's default version; ARCHITECTURE.md "Front doors").
 */
export function anthropicClientHeaders(req: Pick<BodyRequest, 'anthropicBeta' | 'anthropicVersion'>): Record<string, string> | undefined {
  if (!req.anthropicBeta?.length && req.anthropicVersion === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (req.anthropicVersion !== undefined) headers['anthropic-version'] = req.anthropicVersion;
  if (req.anthropicBeta?.length) headers['anthropic-beta'] = req.anthropicBeta.join(',');
  return headers;
}

export function anthropicMessagesBody(req: BodyRequest): JsonObject {
  checkAnthropicMessages(req);
  const thinking = anthropicThinking(req);
  const thinkingOn = thinkingIsOn(thinking);
  const budget = thinkingBudget(thinking);
  const mapId = toolIdMap(req.messages, SAFE_ID);
  const cacheMarks = new CacheMarks(req);
  const system = req.messages.filter((m): m is Extract<ChatMessage, { role: 'system' }> => m.role === 'system').flatMap((m) => m.parts);
  const body: JsonObject = {
    model: req.upstreamModel,
    max_tokens: outputCap(req.maxTokens, ANTHROPIC_DEFAULT_MAX_TOKENS, budget),
    messages: messages(req, thinking?.type !== 'disabled', mapId, cacheMarks),
    stream: true,
  };
  if (system.length > 0) body.system = cacheMarks.anyOn(system) ? system.map((p) => textBlock(p, cacheMarks)) : system.map((p) => p.text).join('\n\n');
  // With thinking: no temperature/top_k changes, top_p only 0.95–1 (§1.2 "Reasoning").
  if (req.temperature !== undefined && !thinkingOn) body.temperature = req.temperature;
  if (req.topP !== undefined && (!thinkingOn || req.topP >= 0.95)) body.top_p = req.topP;
  if (req.topK !== undefined && !thinkingOn) body.top_k = req.topK;
  if (req.stop !== undefined && req.stop.length > 0) body.stop_sequences = req.stop;
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => {
      const tool: JsonObject = { name: t.name };
      if (t.description !== undefined) tool.description = t.description;
      tool.input_schema = t.parameters;
      if (t.strict !== undefined) tool.strict = t.strict;
      cacheMarks.apply(t, tool);
      return tool;
    });
    const choice = toolChoice(req, thinking?.type === 'enabled');
    if (choice) body.tool_choice = choice;
  }
  if (thinking) body.thinking = thinking;
  const outputConfig: JsonObject = {};
  if (req.anthropicEffort !== undefined && claudeTarget(req)) outputConfig.effort = req.anthropicEffort;
  if (req.responseFormat?.type === 'json_schema') outputConfig.format = { type: 'json_schema', schema: req.responseFormat.schema };
  if (Object.keys(outputConfig).length > 0) body.output_config = outputConfig;
  if (req.cache) body.cache_control = cacheControl(req.cache);
  cacheMarks.finish(body);
  return body;
}

function toolChoice(req: BodyRequest, manualThinking: boolean): JsonObject | undefined {
  const c = req.toolChoice;
  const noParallel = req.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  // With manual thinking only auto/none are allowed (§3.5): a forced choice becomes auto.
  const type = c?.type === 'required' || c?.type === 'tool' ? (manualThinking ? 'auto' : c.type) : (c?.type ?? 'auto');
  switch (type) {
    case 'none':
      return { type: 'none' };
    case 'auto':
      return c === undefined && req.parallelToolCalls !== false ? undefined : { type: 'auto', ...noParallel };
    case 'required':
      return { type: 'any', ...noParallel };
    case 'tool':
      return { type: 'tool', name: (c as { name: string }).name, ...noParallel };
  }
}

/**
 * Consecutive messages of one role merge into one turn (tool results join the user turn that
 * follows them, results first, §1.2 "History"); thinking replays first in an assistant turn,
 * then text, then tool_use blocks last.
 */
function messages(req: BodyRequest, replayThinking: boolean, mapId: (id: string) => string, marks: CacheMarks): JsonObject[] {
  const out: { role: 'user' | 'assistant'; content: JsonObject[] }[] = [];
  const turn = turnAppender(out);
  for (const m of req.messages) {
    switch (m.role) {
      case 'system':
        break;
      case 'user': {
        const content = turn('user');
        for (const p of m.parts) content.push(partBlock(p, marks));
        break;
      }
      case 'tool': {
        const content = turn('user');
        const block: JsonObject = { type: 'tool_result', tool_use_id: mapId(m.toolCallId) };
        const parts = m.parts.map((p) => partBlock(p, marks));
        // "content cannot be empty if is_error is true" (§1.2).
        block.content = parts.length === 0 ? (m.isError ? 'error' : '') : parts.length === 1 && parts[0]!.type === 'text' && !parts[0]!.cache_control ? parts[0]!.text : parts;
        if (m.isError) block.is_error = true;
        marks.apply(m, block);
        // Results come first in the user turn, before any text already there.
        const firstText = content.findIndex((b) => b.type !== 'tool_result');
        if (firstText === -1) content.push(block);
        else content.splice(firstText, 0, block);
        break;
      }
      case 'assistant': {
        const content = turn('assistant');
        if (replayThinking) {
          for (const d of claudeThinking(m.reasoning, req.upstreamModel)) {
            content.push(d.type === 'reasoning.text' ? { type: 'thinking', thinking: d.text, signature: d.signature ?? '' } : { type: 'redacted_thinking', data: d.data });
          }
        }
        for (const p of m.parts) content.push(textBlock(p, marks));
        for (const c of m.toolCalls) content.push({ type: 'tool_use', id: mapId(c.id), name: c.name, input: argumentsObject(c.arguments, 'rawInvalidInput') });
        break;
      }
    }
  }
  // §3.8: a final (prefill) assistant text loses its trailing whitespace.
  const last = out[out.length - 1];
  if (last?.role === 'assistant') {
    const tail = last.content[last.content.length - 1];
    if (tail?.type === 'text' && typeof tail.text === 'string') tail.text = tail.text.trimEnd();
  }
  return out.map((t) => ({ role: t.role, content: simplify(t.content) }));
}

/** A turn of one uncached text block is sent as a plain string, as clients do. */
function simplify(content: JsonObject[]): string | JsonObject[] {
  const only = content[0];
  if (content.length === 1 && only?.type === 'text' && !only.cache_control) return only.text as string;
  return content;
}

function textBlock(p: TextPart, marks: CacheMarks): JsonObject {
  const block: JsonObject = { type: 'text', text: p.text };
  marks.apply(p, block);
  return block;
}

function partBlock(p: ContentPart, marks: CacheMarks): JsonObject {
  if (p.type === 'text') return textBlock(p, marks);
  const source =
    p.image.kind === 'url' ? { type: 'url', url: p.image.url } : { type: 'base64', media_type: p.image.mediaType, data: p.image.data };
  const block: JsonObject = { type: 'image', source };
  marks.apply(p, block);
  return block;
}

function cacheControl(mark: CacheMark): JsonObject {
  return mark.ttl ? { type: 'ephemeral', ttl: mark.ttl } : { type: 'ephemeral' };
}

/**
 * Cache breakpoints (§3.10): the client's own markers are kept; where it sent none, Anthropic
 * requests get two, on the system prompt and on the last user/tool block. At most 4 (latest win).
 */
class CacheMarks {
  private readonly client: boolean;
  private readonly auto: boolean;
  private readonly marked: JsonObject[] = [];
  private lastSystem: TextPart | undefined;
  private lastTurn: object | undefined;

  constructor(req: BodyRequest) {
    this.client = req.cache !== undefined || hasClientMarks(req);
    this.auto = !this.client && req.provider.id === ProviderId.ANTHROPIC;
    if (this.auto) {
      for (const m of req.messages) {
        if (m.role === 'system') this.lastSystem = m.parts[m.parts.length - 1] ?? this.lastSystem;
        if (m.role === 'user') this.lastTurn = m.parts[m.parts.length - 1];
        if (m.role === 'tool') this.lastTurn = m;
      }
    }
  }

  /** Whether any of `parts` will carry a marker (then system goes as blocks). */
  anyOn(parts: TextPart[]): boolean {
    return parts.some((p) => p.cache !== undefined || p === this.lastSystem);
  }

  apply(source: { cache?: CacheMark }, block: JsonObject): void {
    const mark = source.cache ?? (this.auto && (source === this.lastSystem || source === this.lastTurn) ? {} : undefined);
    if (!mark) return;
    // Never on empty text (a 400, §1.2).
    if (block.type === 'text' && (typeof block.text !== 'string' || block.text.trim() === '')) return;
    block.cache_control = cacheControl(mark);
    this.marked.push(block);
  }

  /** Keeps the last 4 markers in prefix order: tools, system, messages (§1.2 "Caching"). */
  finish(body: JsonObject): void {
    const limit = MAX_BREAKPOINTS - (body.cache_control ? 1 : 0);
    if (this.marked.length <= limit) return;
    const order = [...(Array.isArray(body.tools) ? (body.tools as JsonObject[]) : []), ...(Array.isArray(body.system) ? (body.system as JsonObject[]) : []), ...flatBlocks(body.messages)];
    const marked = order.filter((b) => this.marked.includes(b));
    for (const b of marked.slice(0, marked.length - limit)) delete b.cache_control;
  }
}

function flatBlocks(messages: unknown): JsonObject[] {
  const out: JsonObject[] = [];
  for (const m of messages as { content: string | JsonObject[] }[]) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) {
      out.push(b);
      if (b.type === 'tool_result' && Array.isArray(b.content)) out.push(...(b.content as JsonObject[]));
    }
  }
  return out;
}

function hasClientMarks(req: BodyRequest): boolean {
  if (req.tools?.some((t) => t.cache)) return true;
  return req.messages.some((m) => (m.role === 'tool' && m.cache !== undefined) || m.parts.some((p) => p.cache !== undefined));
}
