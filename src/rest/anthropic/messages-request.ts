/**
 * An Anthropic Messages request → the one internal request (`ChatCompletionInput`). Only the
 * wire format lives here: validation of the conversation itself (tool names, images, tool
 * results answering calls, limits) is `chat-request.ts`, shared by every front door.
 */
import type { ZodError, ZodType } from 'zod';
import { badInput, type AppError } from '../../errors/app-error';
import type { CacheMark, ReasoningDetail } from '../../providers/chat-model';
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
  type ToolInput,
} from '../../modules/chat/chat.inputs';
import {
  countTokensRequest,
  messagesRequest,
  type AssistantBlock,
  type CacheControl,
  type CountTokensRequest,
  type MessagesRequest,
  type UserBlock,
} from './messages-schema';
import { decodeForeignSignature, isForeignSignature } from './foreign-signatures';

/** What the door needs beyond the internal request. */
export interface ParsedMessages {
  input: ChatCompletionInput;
  stream: boolean;
}

const EFFORT: Record<NonNullable<NonNullable<CountTokensRequest['output_config']>['effort']>, ReasoningEffort> = {
  low: ReasoningEffort.LOW,
  medium: ReasoningEffort.MEDIUM,
  high: ReasoningEffort.HIGH,
  // The internal scale stops at HIGH; the dialects map HIGH to each provider's top setting.
  xhigh: ReasoningEffort.HIGH,
  max: ReasoningEffort.HIGH,
};

/** The request headers this door forwards to an Anthropic-dialect upstream. */
export interface AnthropicHeaders {
  /** `anthropic-beta` (comma-separated, or the header repeated). */
  beta?: string | string[];
  /** `anthropic-version`; the provider's own default when absent. */
  version?: string | string[];
}

/**
 * A version is a date-like token (`2023-06-01`), a beta a name such as
 * `interleaved-thinking-2025-05-14`; anything else is refused before it is forwarded as a header.
 */
const VERSION = /^[A-Za-z0-9._-]{1,64}$/;
const BETA = VERSION;

/** `POST /v1/messages`. */
export function parseMessagesRequest(body: unknown, headers: AnthropicHeaders = {}): ParsedMessages {
  const req = check(messagesRequest, body);
  const input = common(req, headers);
  input.maxTokens = req.max_tokens;
  if (req.temperature !== undefined) input.temperature = req.temperature;
  if (req.top_p !== undefined) input.topP = req.top_p;
  // top_k 0 is "no top_k".
  if (req.top_k !== undefined && req.top_k > 0) input.topK = req.top_k;
  if (req.stop_sequences !== undefined) input.stop = req.stop_sequences;
  // metadata.user_id has no place in the internal request: the gateway attributes usage by API
  // token, not by a client-chosen user id.
  return { input, stream: req.stream === true };
}

/** `POST /v1/messages/count_tokens`: the same conversation, without sampling settings. */
export function parseCountTokensRequest(body: unknown, headers: AnthropicHeaders = {}): ChatCompletionInput {
  return common(check(countTokensRequest, body), headers);
}

function check<T>(schema: ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('The request body must be a JSON object');
  const r = schema.safeParse(body);
  if (!r.success) throw zodError(r.error);
  return r.data;
}

/** Anthropic names the field path first: `messages.0.content.1.type: Invalid discriminator value…`. */
function zodError(error: ZodError): AppError {
  const issue = error.issues[0]!;
  const path = issue.path.join('.');
  return badInput(path ? `${path}: ${issue.message}` : issue.message, path.split('.')[0]);
}

function common(req: CountTokensRequest, headers: AnthropicHeaders): ChatCompletionInput {
  const messages: ChatMessageInput[] = [];
  if (req.system !== undefined) messages.push(systemMessage(req.system));
  req.messages.forEach((m, i) => {
    if (m.role === 'user') messages.push(...userMessages(m.content));
    else messages.push(assistantMessage(m.content, i));
  });
  const input: ChatCompletionInput = { model: req.model, messages };
  if (req.tools) input.tools = req.tools.map(tool);
  if (req.tool_choice) {
    const c = req.tool_choice;
    input.toolChoice =
      c.type === 'tool' ? { name: c.name } : { mode: c.type === 'any' ? ToolChoiceMode.REQUIRED : c.type === 'none' ? ToolChoiceMode.NONE : ToolChoiceMode.AUTO };
    if (c.type !== 'none' && c.disable_parallel_tool_use === true) input.parallelToolCalls = false;
  }
  const reasoning = reasoningOf(req);
  if (reasoning) input.reasoning = reasoning;
  // A Claude target gets thinking and effort exactly as sent (every type Anthropic documents,
  // with fields such as `display`); `reasoning` is the same intent for every other provider.
  if (req.thinking) input.anthropicThinking = { ...req.thinking };
  if (req.output_config?.effort) input.anthropicEffort = req.output_config.effort;
  const format = req.output_config?.format;
  if (format) input.responseFormat = { type: ResponseFormatType.JSON_SCHEMA, schema: format.schema };
  const cache = cacheMark(req.cache_control);
  if (cache) input.cache = cache;
  const betas = betaList(headers.beta);
  if (betas.length > 0) input.anthropicBeta = betas;
  const version = versionOf(headers.version);
  if (version !== undefined) input.anthropicVersion = version;
  return input;
}

function versionOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (!VERSION.test(value)) throw badInput('anthropic-version must be a version such as 2023-06-01', 'anthropic-version');
  return value;
}

function tool(t: NonNullable<CountTokensRequest['tools']>[number]): ToolInput {
  const out: ToolInput = { name: t.name, parameters: t.input_schema };
  if (t.description !== undefined) out.description = t.description;
  return withCache(out, t.cache_control);
}

function reasoningOf(req: CountTokensRequest): ReasoningInput | undefined {
  const effort = req.output_config?.effort;
  switch (req.thinking?.type) {
    case 'enabled':
      return { maxTokens: req.thinking.budget_tokens, ...(effort ? { effort: EFFORT[effort] } : {}) };
    case 'adaptive':
      // Anthropic's default effort is high.
      return { effort: effort ? EFFORT[effort] : ReasoningEffort.HIGH };
    case 'disabled':
      return { effort: ReasoningEffort.NONE };
    case undefined:
      return effort ? { effort: EFFORT[effort] } : undefined;
  }
}

/**
 * `anthropic-beta: a,b` (or the header repeated) → ['a', 'b']. Each value goes upstream in a
 * header of ours: one that is not a plain beta name is refused (BAD_USER_INPUT), not forwarded.
 */
export function betaList(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  const betas = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (betas.some((b) => !BETA.test(b))) throw badInput('anthropic-beta must be a comma-separated list of beta names such as interleaved-thinking-2025-05-14', 'anthropic-beta');
  return betas;
}

function cacheMark(c: CacheControl): CacheMark | undefined {
  if (!c) return undefined;
  return c.ttl ? { ttl: c.ttl } : {};
}

function withCache<T extends { cache?: CacheMark }>(target: T, c: CacheControl): T {
  const mark = cacheMark(c);
  if (mark) target.cache = mark;
  return target;
}

function systemMessage(system: string | Array<{ text: string; cache_control?: CacheControl }>): ChatMessageInput {
  if (typeof system === 'string') return { role: ChatRole.SYSTEM, content: system };
  return { role: ChatRole.SYSTEM, parts: system.map((b) => withCache<ContentPartInput>({ type: ContentPartType.TEXT, text: b.text }, b.cache_control)) };
}

function textPart(text: string, c: CacheControl): ContentPartInput {
  return withCache<ContentPartInput>({ type: ContentPartType.TEXT, text }, c);
}

function imagePart(b: Extract<UserBlock, { type: 'image' }>): ContentPartInput {
  const url = b.source.type === 'base64' ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
  return withCache<ContentPartInput>({ type: ContentPartType.IMAGE, imageUrl: url }, b.cache_control);
}

/**
 * A user turn: its tool results become TOOL messages (first, as Anthropic requires them to be),
 * the rest one USER message.
 */
function userMessages(content: string | UserBlock[]): ChatMessageInput[] {
  if (typeof content === 'string') return [{ role: ChatRole.USER, content }];
  const out: ChatMessageInput[] = [];
  const parts: ContentPartInput[] = [];
  for (const b of content) {
    switch (b.type) {
      case 'text':
        parts.push(textPart(b.text, b.cache_control));
        break;
      case 'image':
        parts.push(imagePart(b));
        break;
      case 'tool_result': {
        const m: ChatMessageInput = { role: ChatRole.TOOL, toolCallId: b.tool_use_id, isError: b.is_error === true };
        if (typeof b.content === 'string') m.content = b.content;
        else m.parts = (b.content ?? []).map((p) => (p.type === 'text' ? textPart(p.text, p.cache_control) : imagePart(p)));
        out.push(withCache(m, b.cache_control));
        break;
      }
    }
  }
  // An empty user turn (no blocks at all) is left for chat-request.ts to refuse.
  if (parts.length > 0 || out.length === 0) out.push({ role: ChatRole.USER, parts });
  return out;
}

/**
 * An assistant turn: text, the tool calls it made, and its thinking blocks as reasoning details
 * in block order (signatures and redacted data untouched: Anthropic checks them on replay).
 */
function assistantMessage(content: string | AssistantBlock[], i: number): ChatMessageInput {
  if (typeof content === 'string') return { role: ChatRole.ASSISTANT, content };
  const m: ChatMessageInput = { role: ChatRole.ASSISTANT, parts: [], toolCalls: [] };
  const details: ReasoningDetail[] = [];
  content.forEach((b, j) => {
    switch (b.type) {
      case 'text':
        m.parts!.push(textPart(b.text, b.cache_control));
        break;
      case 'tool_use':
        m.toolCalls!.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) });
        if (b.cache_control) withCache(m, b.cache_control);
        break;
      case 'thinking': {
        // A Gemini thought signature this door handed out comes back as its own detail.
        const foreign = decodeForeignSignature(b.signature, details.length);
        if (foreign) {
          details.push(foreign);
          break;
        }
        // Not one this door handed out (forged or damaged): refused, never replayed to Claude as
        // its own signature (Claude's are base64, which has no '.', so the prefix is ours alone).
        if (isForeignSignature(b.signature)) throw badInput(`messages.${i}.content.${j}.signature is not a signature this gateway handed out`, 'messages');
        details.push({
          type: 'reasoning.text',
          text: b.thinking,
          // An empty signature is what this door streams for reasoning no provider signed.
          ...(b.signature !== '' ? { signature: b.signature } : {}),
          format: 'anthropic-claude-v1',
          index: details.length,
        });
        break;
      }
      case 'redacted_thinking':
        if (b.data === '') throw badInput(`messages.${i}.content.${j}.data must not be empty`, 'messages');
        details.push({ type: 'reasoning.encrypted', data: b.data, format: 'anthropic-claude-v1', index: details.length });
        break;
    }
  });
  if (details.length > 0) m.reasoningDetails = details;
  return m;
}

export type { MessagesRequest };
