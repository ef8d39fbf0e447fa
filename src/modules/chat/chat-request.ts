/**
 * Validates a front door's request and normalizes it into the internal model every dialect
 * translates (providers/chat-model.ts). Everything here runs before routing: a rejected request
 * sends nothing upstream and writes no usage record.
 */
import { badInput } from '../../errors/app-error';
import type { ChatMessage, ChatParams, ReasoningEffortLevel, ToolCall, ToolChoice, ToolDef } from '../../providers/chat-model';
import { ChatRole, ReasoningEffort, ResponseFormatType, ToolChoiceMode, type ChatCompletionInput, type ChatMessageInput, type ToolInput } from './chat.inputs';
import { messageParts } from './chat-parts';
import { parseReasoningDetails } from './reasoning-details';
import { isObjectSchema } from './tool-schema';
import { MAX_MODEL_ID_LENGTH } from '../../catalog/types';

export type { ChatParams } from '../../providers/chat-model';

const MAX_MESSAGES = 1000;
const MAX_STOP = 4;
const MAX_OUTPUT_TOKENS = 1_000_000;
const MAX_TOOLS = 128;
const MAX_TOOL_CALLS = 128;
/** Tool and function names (tools.md §1.0: the intersection every dialect accepts). */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Limits that depend on configuration. */
export interface ChatLimits {
  /** Characters of text and image data across the whole request. */
  maxRequestChars: number;
}

/** 20 MB of prompt (images inline as base64), the default request limit. */
export const DEFAULT_CHAT_LIMITS: ChatLimits = { maxRequestChars: 20 * 1024 * 1024 };

const EFFORT: Record<ReasoningEffort, ReasoningEffortLevel> = {
  [ReasoningEffort.NONE]: 'none',
  [ReasoningEffort.MINIMAL]: 'minimal',
  [ReasoningEffort.LOW]: 'low',
  [ReasoningEffort.MEDIUM]: 'medium',
  [ReasoningEffort.HIGH]: 'high',
};

const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/** Validates a completion request before anything is routed or sent; BAD_USER_INPUT otherwise. */
export function chatParams(input: ChatCompletionInput, limits: ChatLimits = DEFAULT_CHAT_LIMITS): ChatParams {
  if (input.model.trim() === '' || input.model.length > MAX_MODEL_ID_LENGTH) {
    throw badInput(`model must be 1-${MAX_MODEL_ID_LENGTH} characters`, 'model');
  }
  if (input.messages.length === 0) throw badInput('messages must not be empty', 'messages');
  if (input.messages.length > MAX_MESSAGES) throw badInput(`at most ${MAX_MESSAGES} messages`, 'messages');
  const size = { chars: 0 };
  const tools = toolDefs(input.tools, size);
  const messages = normalizeMessages(input.messages, size);
  if (size.chars > limits.maxRequestChars) {
    throw badInput(`the request may hold at most ${limits.maxRequestChars} characters of text and image data`, 'messages');
  }
  if (!messages.some((m) => m.role !== 'system')) throw badInput('messages need at least one USER or ASSISTANT message', 'messages');
  const p: ChatParams = { messages, promptChars: size.chars };
  if (tools) p.tools = tools;
  if (present(input.maxTokens)) {
    if (input.maxTokens < 1 || input.maxTokens > MAX_OUTPUT_TOKENS) throw badInput(`maxTokens must be 1-${MAX_OUTPUT_TOKENS}`, 'maxTokens');
    p.maxTokens = input.maxTokens;
  }
  if (present(input.temperature)) {
    if (!(input.temperature >= 0 && input.temperature <= 2)) throw badInput('temperature must be between 0 and 2', 'temperature');
    p.temperature = input.temperature;
  }
  if (present(input.topP)) {
    if (!(input.topP > 0 && input.topP <= 1)) throw badInput('topP must be greater than 0 and at most 1', 'topP');
    p.topP = input.topP;
  }
  if (present(input.stop)) {
    if (input.stop.length > MAX_STOP || input.stop.some((s) => s.length === 0 || s.length > 200)) {
      throw badInput(`stop takes at most ${MAX_STOP} non-empty strings of at most 200 characters`, 'stop');
    }
    if (input.stop.length > 0) p.stop = input.stop;
  }
  const choice = toolChoice(input, tools);
  if (choice) p.toolChoice = choice;
  if (present(input.parallelToolCalls)) p.parallelToolCalls = input.parallelToolCalls;
  responseFormat(input, p);
  reasoning(input, p);
  if (input.cache) p.cache = input.cache;
  if (input.topK !== undefined) {
    if (!Number.isInteger(input.topK) || input.topK < 1) throw badInput('top_k must be a positive integer', 'top_k');
    p.topK = input.topK;
  }
  if (input.anthropicBeta?.length) p.anthropicBeta = input.anthropicBeta;
  if (input.anthropicVersion !== undefined) p.anthropicVersion = input.anthropicVersion;
  if (input.anthropicThinking) p.anthropicThinking = input.anthropicThinking;
  if (input.anthropicEffort !== undefined) p.anthropicEffort = input.anthropicEffort;
  return p;
}

function toolDefs(tools: ToolInput[] | null | undefined, size: { chars: number }): ToolDef[] | undefined {
  if (!present(tools) || tools.length === 0) return undefined;
  if (tools.length > MAX_TOOLS) throw badInput(`at most ${MAX_TOOLS} tools`, 'tools');
  const seen = new Set<string>();
  return tools.map((t, i) => {
    if (!TOOL_NAME.test(t.name)) throw badInput(`tools[${i}].name must match ^[a-zA-Z0-9_-]{1,64}$`, 'tools');
    if (seen.has(t.name)) throw badInput(`tools[${i}].name "${t.name}" is declared twice`, 'tools');
    seen.add(t.name);
    const parameters = t.parameters ?? { type: 'object', properties: {} };
    if (!isObjectSchema(parameters)) throw badInput(`tools[${i}].parameters must be a JSON Schema of type "object"`, 'tools');
    const def: ToolDef = { name: t.name, parameters };
    if (present(t.description) && t.description !== '') def.description = t.description;
    if (t.strict !== undefined) def.strict = t.strict;
    if (t.cache) def.cache = t.cache;
    size.chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(parameters).length;
    return def;
  });
}

function toolChoice(input: ChatCompletionInput, tools: ToolDef[] | undefined): ToolChoice | undefined {
  const c = input.toolChoice;
  if (!present(c)) return undefined;
  if (present(c.name)) {
    if (present(c.mode) && c.mode !== ToolChoiceMode.REQUIRED) throw badInput('toolChoice.name goes with mode REQUIRED or no mode', 'toolChoice');
    if (!tools?.some((t) => t.name === c.name)) throw badInput(`toolChoice names "${c.name}", which is not among tools`, 'toolChoice');
    return { type: 'tool', name: c.name };
  }
  switch (c.mode ?? ToolChoiceMode.AUTO) {
    case ToolChoiceMode.AUTO:
      return { type: 'auto' };
    case ToolChoiceMode.NONE:
      return { type: 'none' };
    case ToolChoiceMode.REQUIRED:
      if (!tools) throw badInput('toolChoice REQUIRED needs tools', 'toolChoice');
      return { type: 'required' };
  }
}

function responseFormat(input: ChatCompletionInput, p: ChatParams): void {
  const f = input.responseFormat;
  if (!present(f)) return;
  switch (f.type) {
    case ResponseFormatType.TEXT:
      return;
    case ResponseFormatType.JSON_OBJECT:
      p.responseFormat = { type: 'json_object' };
      return;
    case ResponseFormatType.JSON_SCHEMA: {
      if (!isObjectSchema(f.schema)) throw badInput('responseFormat.schema must be a JSON Schema of type "object"', 'responseFormat');
      const name = f.name ?? 'response';
      if (!TOOL_NAME.test(name)) throw badInput('responseFormat.name must match ^[a-zA-Z0-9_-]{1,64}$', 'responseFormat');
      p.responseFormat = { type: 'json_schema', name, schema: f.schema, ...(present(f.strict) ? { strict: f.strict } : {}) };
      return;
    }
  }
}

function reasoning(input: ChatCompletionInput, p: ChatParams): void {
  const r = input.reasoning;
  if (!present(r)) return;
  const settings: NonNullable<ChatParams['reasoning']> = {};
  if (present(r.effort)) settings.effort = EFFORT[r.effort];
  if (present(r.maxTokens)) {
    if (r.maxTokens < 0 || r.maxTokens > MAX_OUTPUT_TOKENS) throw badInput(`reasoning.maxTokens must be 0-${MAX_OUTPUT_TOKENS}`, 'reasoning');
    settings.maxTokens = r.maxTokens;
  }
  if (r.exclude === true) settings.exclude = true;
  if (Object.keys(settings).length > 0) p.reasoning = settings;
}

/**
 * Messages in the internal model. Empty text is dropped and an assistant message left with
 * nothing goes (tools.md §3.8); every TOOL message must answer a call an earlier ASSISTANT
 * message made (its function name is resolved from that call, §3.4); a call the client left
 * unanswered gets a synthesized error result right after the answered ones, since every dialect
 * rejects a call without a result (§3.6).
 */
function normalizeMessages(input: ChatMessageInput[], size: { chars: number }): ChatMessage[] {
  const out: ChatMessage[] = [];
  const calls = new Map<string, string>(); // id → name, of every call made so far
  let open: ToolCall[] = []; // the last assistant turn's calls not answered yet
  const closeOpen = () => {
    for (const c of open) {
      out.push({ role: 'tool', toolCallId: c.id, toolName: c.name, parts: [{ type: 'text', text: 'No result was provided for this call.' }], isError: true });
    }
    open = [];
  };
  input.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role !== ChatRole.TOOL) closeOpen();
    if (m.role !== ChatRole.ASSISTANT && (present(m.toolCalls) || present(m.reasoningDetails))) {
      throw badInput(`${at}: toolCalls and reasoningDetails belong on ASSISTANT messages`, 'messages');
    }
    if (m.role !== ChatRole.TOOL && present(m.toolCallId)) throw badInput(`${at}: toolCallId belongs on TOOL messages`, 'messages');
    switch (m.role) {
      case ChatRole.SYSTEM: {
        const parts = messageParts(m, at, size, { images: false });
        if (parts.length > 0) out.push({ role: 'system', parts });
        return;
      }
      case ChatRole.USER: {
        const parts = messageParts(m, at, size, { images: true });
        if (parts.length === 0) throw badInput(`${at}: a USER message needs content or parts`, 'messages');
        out.push({ role: 'user', parts });
        return;
      }
      case ChatRole.ASSISTANT: {
        const parts = messageParts(m, at, size, { images: false });
        const toolCalls = (m.toolCalls ?? []).map((c, j) => toolCall(c, `${at}.toolCalls[${j}]`, size));
        if (toolCalls.length > MAX_TOOL_CALLS) throw badInput(`${at}: at most ${MAX_TOOL_CALLS} toolCalls`, 'messages');
        const reasoning = parseReasoningDetails(m.reasoningDetails, at);
        // A later call may reuse an id (Kimi numbers `functions.{name}:{n}` per turn): the latest wins.
        for (const c of toolCalls) calls.set(c.id, c.name);
        open = [...toolCalls];
        if (parts.length === 0 && toolCalls.length === 0) return;
        out.push({ role: 'assistant', parts, toolCalls, reasoning });
        return;
      }
      case ChatRole.TOOL: {
        if (!present(m.toolCallId) || m.toolCallId === '') throw badInput(`${at}: a TOOL message needs toolCallId`, 'messages');
        const name = calls.get(m.toolCallId);
        if (name === undefined) throw badInput(`${at}: toolCallId "${m.toolCallId}" answers no call an earlier ASSISTANT message made`, 'messages');
        open = open.filter((c) => c.id !== m.toolCallId);
        const parts = messageParts(m, at, size, { images: true });
        const msg: ChatMessage = { role: 'tool', toolCallId: m.toolCallId, toolName: name, parts, isError: m.isError === true };
        if (m.cache) msg.cache = m.cache;
        out.push(msg);
        return;
      }
    }
  });
  closeOpen();
  return out;
}

function toolCall(c: { id: string; name: string; arguments: string }, at: string, size: { chars: number }): ToolCall {
  if (c.id === '' || c.id.length > 256) throw badInput(`${at}.id must be 1-256 characters`, 'messages');
  if (!TOOL_NAME.test(c.name)) throw badInput(`${at}.name must match ^[a-zA-Z0-9_-]{1,64}$`, 'messages');
  // §3.2: an empty argument text means "no arguments".
  const args = c.arguments.trim() === '' ? '{}' : c.arguments;
  try {
    JSON.parse(args);
  } catch {
    throw badInput(`${at}.arguments must be JSON text`, 'messages');
  }
  size.chars += c.id.length + c.name.length + args.length;
  return { id: c.id, name: c.name, arguments: args };
}
