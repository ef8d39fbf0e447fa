/**
 * OpenAI Chat Completions request (plus the OpenRouter fields OpenRouter-style clients send)
 * → the one internal request, ChatCompletionInput. Only shapes are checked here; meaning
 * (limits, tool names, call/result pairing) is chat-request.ts's job, for every door alike.
 * Unknown fields are ignored, never a 400: clients send many we have no use for.
 */
import { badInput } from '../../errors/app-error';
import type { CacheMark } from '../../providers/chat-model';
import {
  ChatRole,
  ContentPartType,
  ReasoningEffort,
  ResponseFormatType,
  ToolChoiceMode,
  type ChatCompletionInput,
  type ChatMessageInput,
  type ContentPartInput,
  type ReasoningInput,
  type ResponseFormatInput,
  type ToolChoiceInput,
  type ToolInput,
} from '../../modules/chat/chat.inputs';
import { array, isObject, object, optArray, optBoolean, optEnum, optInteger, optNumber, optObject, optString, string, type Json } from '../wire-checks';
import { providerPreference } from './openai-provider-pref';

/** What a Chat Completions request asks for, besides the completion itself. */
export interface OpenAiRequest {
  input: ChatCompletionInput;
  stream: boolean;
  /** `stream_options.include_usage` or OpenRouter's `usage.include`: send the usage chunk. */
  includeUsage: boolean;
}

const ROLES: Record<string, ChatRole> = {
  system: ChatRole.SYSTEM,
  // OpenAI's newer name for system instructions (o-series and later).
  developer: ChatRole.SYSTEM,
  user: ChatRole.USER,
  assistant: ChatRole.ASSISTANT,
  tool: ChatRole.TOOL,
};

const EFFORTS: Record<string, ReasoningEffort> = {
  none: ReasoningEffort.NONE,
  minimal: ReasoningEffort.MINIMAL,
  low: ReasoningEffort.LOW,
  medium: ReasoningEffort.MEDIUM,
  high: ReasoningEffort.HIGH,
  // Newer OpenAI levels above high: the most any of our providers takes.
  xhigh: ReasoningEffort.HIGH,
  max: ReasoningEffort.HIGH,
};

export function parseOpenAiRequest(body: unknown, organizationId: string | null): OpenAiRequest {
  const b = object(body, 'body');
  const model = string(b.model, 'model');
  const n = optInteger(b.n, 'n');
  if (n !== undefined && n !== 1) throw badInput('n must be 1: the gateway returns one choice', 'n');
  const input: ChatCompletionInput = {
    model,
    messages: array(b.messages, 'messages').map((m, i) => message(m, `messages[${i}]`)),
    organizationId,
  };
  const maxTokens = optInteger(b.max_completion_tokens, 'max_completion_tokens') ?? optInteger(b.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) input.maxTokens = maxTokens;
  const temperature = optNumber(b.temperature, 'temperature');
  if (temperature !== undefined) input.temperature = temperature;
  const topP = optNumber(b.top_p, 'top_p');
  if (topP !== undefined) input.topP = topP;
  const stop = stopSequences(b.stop);
  if (stop) input.stop = stop;
  const tools = optArray(b.tools, 'tools');
  if (tools) input.tools = tools.map((t, i) => tool(t, `tools[${i}]`));
  const choice = toolChoice(b.tool_choice);
  if (choice) input.toolChoice = choice;
  const parallel = optBoolean(b.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) input.parallelToolCalls = parallel;
  const format = responseFormat(b.response_format);
  if (format) input.responseFormat = format;
  const reasoning = reasoningSettings(b);
  if (reasoning) input.reasoning = reasoning;
  const provider = providerPreference(b.provider);
  if (provider) input.provider = provider;

  const stream = optBoolean(b.stream, 'stream') ?? false;
  const streamOptions = optObject(b.stream_options, 'stream_options');
  const usage = optObject(b.usage, 'usage');
  const includeUsage = (optBoolean(streamOptions?.include_usage, 'stream_options.include_usage') ?? false) || (optBoolean(usage?.include, 'usage.include') ?? false);
  return { input, stream, includeUsage };
}

function message(raw: unknown, at: string): ChatMessageInput {
  const m = object(raw, at);
  const roleName = string(m.role, `${at}.role`);
  const role = ROLES[roleName];
  if (!role) throw badInput(`${at}.role must be one of "system", "developer", "user", "assistant", "tool"`, `${at}.role`);
  const out: ChatMessageInput = { role };
  content(m.content, `${at}.content`, out);
  if (role === ChatRole.ASSISTANT) {
    const calls = optArray(m.tool_calls, `${at}.tool_calls`);
    if (calls && calls.length > 0) out.toolCalls = calls.map((c, j) => toolCall(c, `${at}.tool_calls[${j}]`));
    // OpenRouter's replay field, passed back verbatim; chat-request.ts checks its entries.
    if (m.reasoning_details !== undefined && m.reasoning_details !== null) out.reasoningDetails = m.reasoning_details;
  }
  if (role === ChatRole.TOOL) out.toolCallId = string(m.tool_call_id, `${at}.tool_call_id`);
  const cache = cacheMark(m.cache_control, `${at}.cache_control`);
  if (cache) out.cache = cache;
  return out;
}

/** `content`: a string, null, or an array of parts (text, image_url; system arrives as parts too). */
function content(raw: unknown, at: string, out: ChatMessageInput): void {
  if (raw === undefined || raw === null) return;
  if (typeof raw === 'string') {
    out.content = raw;
    return;
  }
  const parts: ContentPartInput[] = [];
  array(raw, at).forEach((p, k) => {
    const part = contentPart(p, `${at}[${k}]`);
    if (part) parts.push(part);
  });
  out.parts = parts;
}

function contentPart(raw: unknown, at: string): ContentPartInput | undefined {
  const p = object(raw, at);
  const type = string(p.type, `${at}.type`);
  let part: ContentPartInput;
  switch (type) {
    case 'text':
      part = { type: ContentPartType.TEXT, text: string(p.text, `${at}.text`) };
      break;
    case 'image_url': {
      // OpenAI nests the URL ({url, detail}); some clients send the URL string directly.
      const image = p.image_url;
      const url = typeof image === 'string' ? image : string(object(image, `${at}.image_url`).url, `${at}.image_url.url`);
      part = { type: ContentPartType.IMAGE, imageUrl: url };
      break;
    }
    // An assistant turn replayed with its refusal: nothing the model needs back.
    case 'refusal':
      return undefined;
    default:
      throw badInput(`${at}.type "${type.slice(0, 50)}" is not supported (text and image_url are)`, `${at}.type`);
  }
  const cache = cacheMark(p.cache_control, `${at}.cache_control`);
  if (cache) part.cache = cache;
  return part;
}

/**
 * Anthropic-style `cache_control` that OpenRouter clients (Kilo Code, Cline) place on parts for
 * Claude models: `{type: "ephemeral", ttl?: "5m" | "1h"}`.
 */
function cacheMark(raw: unknown, at: string): CacheMark | undefined {
  const c = optObject(raw, at);
  if (!c) return undefined;
  const ttl = optEnum(c.ttl, ['5m', '1h'] as const, `${at}.ttl`);
  return ttl ? { ttl } : {};
}

function toolCall(raw: unknown, at: string): { id: string; name: string; arguments: string } {
  const c = object(raw, at);
  const fn = object(c.function, `${at}.function`);
  const args = fn.arguments;
  return {
    id: string(c.id, `${at}.id`),
    name: string(fn.name, `${at}.function.name`),
    // Some clients replay parsed arguments as an object; the model sees JSON text either way.
    arguments: args === undefined || args === null ? '{}' : isObject(args) ? JSON.stringify(args) : string(args, `${at}.function.arguments`),
  };
}

function tool(raw: unknown, at: string): ToolInput {
  const t = object(raw, at);
  const type = optString(t.type, `${at}.type`) ?? 'function';
  if (type !== 'function') throw badInput(`${at}.type "${type.slice(0, 50)}" is not supported (function is)`, `${at}.type`);
  const fn = object(t.function, `${at}.function`);
  const out: ToolInput = { name: string(fn.name, `${at}.function.name`) };
  const description = optString(fn.description, `${at}.function.description`);
  if (description !== undefined) out.description = description;
  if (fn.parameters !== undefined && fn.parameters !== null) out.parameters = object(fn.parameters, `${at}.function.parameters`);
  const strict = optBoolean(fn.strict, `${at}.function.strict`);
  if (strict !== undefined) out.strict = strict;
  const cache = cacheMark(t.cache_control, `${at}.cache_control`);
  if (cache) out.cache = cache;
  return out;
}

function toolChoice(raw: unknown): ToolChoiceInput | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') {
    const mode = optEnum(raw, ['auto', 'none', 'required'] as const, 'tool_choice');
    return { mode: mode === 'none' ? ToolChoiceMode.NONE : mode === 'required' ? ToolChoiceMode.REQUIRED : ToolChoiceMode.AUTO };
  }
  const c = object(raw, 'tool_choice');
  if (c.type !== 'function') throw badInput('tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":…}}', 'tool_choice');
  return { mode: ToolChoiceMode.REQUIRED, name: string(object(c.function, 'tool_choice.function').name, 'tool_choice.function.name') };
}

function responseFormat(raw: unknown): ResponseFormatInput | undefined {
  const f = optObject(raw, 'response_format');
  if (!f) return undefined;
  const type = optEnum(f.type, ['text', 'json_object', 'json_schema'] as const, 'response_format.type');
  if (type === 'json_object') return { type: ResponseFormatType.JSON_OBJECT };
  if (type !== 'json_schema') return { type: ResponseFormatType.TEXT };
  const js = object(f.json_schema, 'response_format.json_schema');
  const out: ResponseFormatInput = { type: ResponseFormatType.JSON_SCHEMA, schema: js.schema };
  const name = optString(js.name, 'response_format.json_schema.name');
  if (name !== undefined) out.name = name;
  const strict = optBoolean(js.strict, 'response_format.json_schema.strict');
  if (strict !== undefined) out.strict = strict;
  return out;
}

/**
 * `reasoning_effort` (OpenAI), OpenRouter's `reasoning {effort, max_tokens, exclude, enabled}`
 * and `include_reasoning`, and the camelCase `reasoningEffort` some SDK wrappers leak into the
 * body. An unknown effort word in the camelCase extra is ignored, not a 400: it is not our API.
 */
function reasoningSettings(b: Json): ReasoningInput | undefined {
  const r = optObject(b.reasoning, 'reasoning');
  const out: ReasoningInput = {};
  const effortWord =
    optString(r?.effort, 'reasoning.effort') ??
    optString(b.reasoning_effort, 'reasoning_effort') ??
    (typeof b.reasoningEffort === 'string' && EFFORTS[b.reasoningEffort] ? b.reasoningEffort : undefined);
  if (effortWord !== undefined) {
    const effort = EFFORTS[effortWord];
    if (!effort) throw badInput(`reasoning effort must be one of ${Object.keys(EFFORTS).join(', ')}`, r?.effort !== undefined ? 'reasoning.effort' : 'reasoning_effort');
    out.effort = effort;
  }
  const maxTokens = optInteger(r?.max_tokens, 'reasoning.max_tokens');
  if (maxTokens !== undefined) out.maxTokens = maxTokens;
  const enabled = optBoolean(r?.enabled, 'reasoning.enabled');
  if (enabled === false && out.effort === undefined && maxTokens === undefined) out.effort = ReasoningEffort.NONE;
  // OpenRouter: enabled alone means its default effort.
  if (enabled === true && out.effort === undefined && maxTokens === undefined) out.effort = ReasoningEffort.MEDIUM;
  const exclude = optBoolean(r?.exclude, 'reasoning.exclude');
  const include = optBoolean(b.include_reasoning, 'include_reasoning');
  if (exclude === true || include === false) out.exclude = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

function stopSequences(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return [raw];
  return array(raw, 'stop').map((s, i) => string(s, `stop[${i}]`));
}
