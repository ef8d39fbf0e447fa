/**
 * The OpenAI Chat Completions request body (tools.md §1.1) from the internal model, with each
 * OpenAI-compatible provider's quirks from its declaration (`openAi`): reasoning flags, Mistral's
 * 9-character call ids and `tool_choice: "any"`, Z.ai's auto-only tool choice and `tool_stream`.
 */
import type { ChatMessage, ReasoningEffortLevel, ToolChoice } from '../chat-model';
import { UnsupportedFeatureError } from '../types';
import type { OpenAiChatOptions, UpstreamChatRequest } from '../types';
import { imageUrl, textOf } from './message-text';
import type { JsonObject } from './json';
import { reasoningContent } from './reasoning-replay';
import { MISTRAL_ID, toolIdMap } from './tool-ids';

type BodyRequest = Omit<UpstreamChatRequest, 'credential' | 'endpoints' | 'signal'>;

/** Throws for what the provider cannot take (sends nothing). */
export function checkOpenAiChat(req: BodyRequest): void {
  const tools = req.provider.openAi?.tools;
  const choice = req.toolChoice?.type;
  if (tools?.autoOnly && (choice === 'required' || choice === 'tool')) {
    throw new UnsupportedFeatureError(req.provider.name, `toolChoice ${choice === 'tool' ? 'with a named tool' : 'REQUIRED'} (only AUTO and NONE)`);
  }
}

/** The request body, exported for tests and the mock upstream. */
export function openAiChatBody(req: BodyRequest): JsonObject {
  checkOpenAiChat(req);
  const options = req.provider.openAi ?? {};
  const mapId = options.tools?.mistral ? toolIdMap(req.messages, MISTRAL_ID) : (id: string) => id;
  const body: JsonObject = {
    model: req.upstreamModel,
    messages: messages(req, options, mapId),
    stream: true,
  };
  // OpenAI sends usage only when asked (§1.1 "Final usage chunk"); always ask unless the
  // provider rejects the option (§3.3).
  if (options.includeUsage !== false) body.stream_options = { include_usage: true };
  if (req.maxTokens !== undefined) body[options.maxTokensField ?? 'max_tokens'] = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) body.stop = req.stop;
  tools(req, options, body);
  if (req.responseFormat && req.responseFormat.type !== 'text') {
    const f = req.responseFormat;
    body.response_format =
      f.type === 'json_object'
        ? { type: 'json_object' }
        : { type: 'json_schema', json_schema: { name: f.name, schema: f.schema, ...(f.strict !== undefined ? { strict: f.strict } : {}) } };
  }
  reasoning(req, options, body);
  return { ...body, ...options.extraBody };
}

function messages(req: BodyRequest, options: OpenAiChatOptions, mapId: (id: string) => string): JsonObject[] {
  const out: JsonObject[] = [];
  const replay = options.reasoning?.replay === true;
  // Tool messages take text only (§1.1): images of results follow in one user message after the
  // run of tool messages, so the results stay contiguous (§3.12).
  let images: JsonObject[] = [];
  const flush = () => {
    if (images.length > 0) out.push({ role: 'user', content: [{ type: 'text', text: 'Images returned by the tool calls above:' }, ...images] });
    images = [];
  };
  for (const m of req.messages) {
    if (m.role !== 'tool') flush();
    switch (m.role) {
      case 'system':
        out.push({ role: 'system', content: textOf(m.parts) });
        break;
      case 'user':
        out.push({ role: 'user', content: userContent(m.parts) });
        break;
      case 'assistant': {
        const msg: JsonObject = { role: 'assistant', content: m.parts.length > 0 ? textOf(m.parts) : null };
        if (m.toolCalls.length > 0) {
          msg.tool_calls = m.toolCalls.map((c) => ({ id: mapId(c.id), type: 'function', function: { name: c.name, arguments: c.arguments } }));
        }
        const thought = replay ? reasoningContent(m.reasoning, req.provider.id) : undefined;
        if (thought !== undefined) msg.reasoning_content = thought;
        out.push(msg);
        break;
      }
      case 'tool': {
        const text = textOf(m.parts);
        const msg: JsonObject = { role: 'tool', tool_call_id: mapId(m.toolCallId), content: m.isError && text === '' ? 'error' : text };
        if (options.tools?.mistral) msg.name = m.toolName;
        out.push(msg);
        for (const p of m.parts) if (p.type === 'image') images.push({ type: 'image_url', image_url: { url: imageUrl(p.image) } });
        break;
      }
    }
  }
  flush();
  return out;
}

/** A single text part as a plain string (what every compatible provider takes), else parts. */
function userContent(parts: Extract<ChatMessage, { role: 'user' }>['parts']): string | JsonObject[] {
  if (parts.length === 1 && parts[0]!.type === 'text') return parts[0]!.text;
  return parts.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: imageUrl(p.image) } }));
}

function tools(req: BodyRequest, options: OpenAiChatOptions, body: JsonObject): void {
  if (!req.tools || req.tools.length === 0) return;
  const mistral = options.tools?.mistral === true;
  let list = req.tools;
  // Mistral has no named choice: "any" over a tool list filtered to that tool (Vercel's mistral-prepare-tools).
  if (mistral && req.toolChoice?.type === 'tool') list = list.filter((t) => t.name === (req.toolChoice as { name: string }).name);
  body.tools = list.map((t) => ({
    type: 'function',
    function: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.parameters, ...(t.strict !== undefined ? { strict: t.strict } : {}) },
  }));
  const choice = toolChoice(req.toolChoice, mistral);
  if (choice !== undefined) body.tool_choice = choice;
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (options.tools?.toolStream) body.tool_stream = true;
}

function toolChoice(choice: ToolChoice | undefined, mistral: boolean): unknown {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case 'auto':
    case 'none':
      return choice.type;
    case 'required':
      return mistral ? 'any' : 'required';
    case 'tool':
      return mistral ? 'any' : { type: 'function', function: { name: choice.name } };
  }
}

/** §4.3, OpenAI-compatible row: each provider's own flag. */
function reasoning(req: BodyRequest, options: OpenAiChatOptions, body: JsonObject): void {
  const r = req.reasoning;
  const style = options.reasoning;
  if (!r || !style) return;
  if (r.effort !== undefined && style.effort) {
    const value = nearestEffort(r.effort, style.effort);
    if (value !== undefined) body.reasoning_effort = value;
  }
  if (style.thinking && (r.effort !== undefined || r.maxTokens !== undefined)) {
    const off = r.effort === 'none' || r.maxTokens === 0;
    const thinking: JsonObject = { type: off ? 'disabled' : 'enabled' };
    if (!off && r.maxTokens !== undefined && style.budget === 'thinking.budget_tokens') thinking.budget_tokens = r.maxTokens;
    body.thinking = thinking;
  }
  if (r.maxTokens !== undefined && style.budget === 'thinking_token_budget') body.thinking_token_budget = r.maxTokens;
}

const ORDER: readonly ReasoningEffortLevel[] = ['none', 'minimal', 'low', 'medium', 'high'];

/** The accepted value closest to `effort` (ties go up), e.g. minimal → low where minimal is not taken. */
function nearestEffort(effort: ReasoningEffortLevel, accepted: readonly string[]): string | undefined {
  if (accepted.includes(effort)) return effort;
  // Inception's lowest level is `instant`.
  if ((effort === 'none' || effort === 'minimal') && accepted.includes('instant')) return 'instant';
  // No "off" value: leave the provider's default rather than turn reasoning up.
  if (effort === 'none') return undefined;
  const at = ORDER.indexOf(effort);
  for (let d = 1; d < ORDER.length; d++) {
    const up = ORDER[at + d];
    if (up !== undefined && accepted.includes(up)) return up;
    const down = ORDER[at - d];
    if (down !== undefined && down !== 'none' && accepted.includes(down)) return down;
  }
  return undefined;
}
