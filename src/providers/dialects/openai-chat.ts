/**
 * OpenAI Chat Completions SSE (providers.md §1.1), spoken by most providers; their quirks come
 * from `ProviderDeclaration.openAi` (path, usage option, output-cap field, extra body fields).
 */
import { ApiDialect } from '../types';
import type {
  DialectAdapter,
  TokenCounts,
  UpstreamChatRequest,
  UpstreamEvent,
  UpstreamStream,
} from '../types';
import { malformedStreamError, midstreamError } from './http-error';
import { joinUrl, openSseStream } from './http-stream';
import type { SseNormalizer } from './http-stream';
import { firstObjectAt, isObject, numberAt, objectAt, parseJson, stringAt } from './json';
import { checkOpenAiChat, openAiChatBody } from './openai-chat-request';
import { generateCallId } from './tool-calls';
import { TurnState } from './turn-state';
import type { ToolCallDelta } from '../chat-model';
import type { JsonObject } from './json';
import type { SseEvent } from './sse-parser';

/**
 * Normalizes an OpenAI-style usage object (§1.5): input includes cached, output includes
 * reasoning (xAI's `completion_tokens` excludes it, hence `completionExcludesReasoning`).
 */
export function normalizeOpenAiUsage(usage: JsonObject, completionExcludesReasoning: boolean): TokenCounts {
  const prompt = numberAt(usage, 'prompt_tokens') ?? 0;
  const completion = numberAt(usage, 'completion_tokens') ?? 0;
  // Moonshot may report `cached_tokens` at the top level instead of in the details (§2.8).
  const cached =
    numberAt(objectAt(usage, 'prompt_tokens_details'), 'cached_tokens') ?? numberAt(usage, 'cached_tokens') ?? 0;
  const reasoning = numberAt(objectAt(usage, 'completion_tokens_details'), 'reasoning_tokens') ?? 0;
  // tools.md §2.5: writes in `prompt_tokens_details.cache_write_tokens`.
  const writes = numberAt(objectAt(usage, 'prompt_tokens_details'), 'cache_write_tokens') ?? 0;
  return {
    // prompt_tokens includes cached tokens; checked defensively (§1.5 xAI row) for providers
    // that would report them apart.
    inputTokens: cached > prompt ? prompt + cached : prompt,
    outputTokens: completionExcludesReasoning ? completion + reasoning : completion,
    cachedInputTokens: cached,
    cacheWriteTokens: writes,
    reasoningTokens: reasoning,
  };
}

/** Stream state of one OpenAI-dialect response. */
export class OpenAiChatNormalizer implements SseNormalizer {
  private finishReason: string | undefined;
  private readonly turn: TurnState;
  /** Upstream tool-call index (or id) → our tracker key and the id it started with. */
  private readonly byIndex = new Map<string, { key: string; id: string | undefined }>();
  private lastKey: string | undefined;
  private reasoningText = '';

  constructor(private readonly req: Pick<UpstreamChatRequest, 'provider' | 'credential'>) {
    this.turn = new TurnState(req);
  }

  push(event: SseEvent, out: UpstreamEvent[]): boolean {
    const data = event.data.trim();
    if (data === '[DONE]') return true;
    if (data === '') return false;
    const chunk = parseJson(data);
    if (!isObject(chunk)) throw malformedStreamError(this.req.provider.name);
    // §1.1 "Mid-stream": the chunk schema is a union with the error shape, after HTTP 200.
    // `code` can be a string or a number on compatible providers; some send a bare string.
    const error = objectAt(chunk, 'error');
    if (error) {
      const code = error.code;
      const type = stringAt(error, 'type') ?? (typeof code === 'string' || typeof code === 'number' ? String(code) : undefined);
      throw midstreamError(this.req.provider.name, this.req.credential, type, stringAt(error, 'message'));
    }
    const bare = stringAt(chunk, 'error');
    if (bare !== undefined) throw midstreamError(this.req.provider.name, this.req.credential, undefined, bare);
    const choice = firstObjectAt(chunk, 'choices');
    const delta = objectAt(choice, 'delta');
    if (delta) this.delta(delta, out);
    const finish = stringAt(choice, 'finish_reason');
    if (finish) this.finishReason = finish;
    // Last non-null usage wins (§1.1, §3.3): the `choices: []` chunk (OpenAI), the finish_reason
    // chunk (Mistral, Z.ai) or `choices[0].usage` (Moonshot/Kimi quirk, §2.8).
    const usage = objectAt(chunk, 'usage') ?? objectAt(choice, 'usage');
    if (usage) {
      const excludes = this.req.provider.openAi?.completionExcludesReasoning === true;
      out.push({ type: 'usage', usage: normalizeOpenAiUsage(usage, excludes) });
    }
    return false;
  }

  end(out: UpstreamEvent[]): void {
    // The turn's reasoning, concatenated, for providers that want it back (§4.2 `reasoning_content`).
    if (this.reasoningText !== '') this.turn.keep({ type: 'reasoning.text', text: this.reasoningText, format: 'unknown' }, { field: 'reasoning_content' });
    this.reasoningText = '';
    // Some compatible providers say "stop" after tool calls: the turn state maps it (§2).
    this.turn.finish(this.finishReason, out);
    this.finishReason = undefined;
  }

  private delta(delta: JsonObject, out: UpstreamEvent[]): void {
    // Mistral's reasoning models stream `content` as an array of typed parts (tools.md §1.1).
    let content = stringAt(delta, 'content');
    let reasoning = stringAt(delta, 'reasoning_content') ?? stringAt(delta, 'reasoning');
    if (Array.isArray(delta.content)) ({ content, reasoning } = contentParts(delta.content as unknown[], reasoning));
    const calls = Array.isArray(delta.tool_calls) ? this.toolCalls(delta.tool_calls as unknown[]) : undefined;
    if (content || reasoning || calls) {
      const ev: Extract<UpstreamEvent, { type: 'delta' }> = { type: 'delta' };
      if (content) ev.content = content;
      if (reasoning) {
        ev.reasoning = reasoning;
        this.reasoningText += reasoning;
      }
      if (calls) ev.toolCalls = calls;
      out.push(ev);
    }
  }

  /**
   * §2.1 variants: fragments keyed by `index` (OpenAI), a whole call in one delta (xAI), no
   * `index` at all (Mistral, Google's compat endpoint: keyed by id), later fragments repeating an
   * empty name. A new non-empty id on an index in use starts a new call (§3.1).
   */
  private toolCalls(list: unknown[]): ToolCallDelta[] | undefined {
    const out: ToolCallDelta[] = [];
    for (const item of list) {
      if (!isObject(item)) continue;
      const fn = objectAt(item, 'function');
      const id = stringAt(item, 'id') || undefined;
      const name = stringAt(fn, 'name') || undefined;
      const args = stringAt(fn, 'arguments') ?? '';
      const index = numberAt(item, 'index');
      const slot = index !== undefined ? `i${index}` : id !== undefined ? `id:${id}` : undefined;
      const known = slot !== undefined ? this.byIndex.get(slot) : undefined;
      const isNew = known === undefined ? slot !== undefined || name !== undefined : id !== undefined && known.id !== undefined && id !== known.id;
      if (isNew && name !== undefined) {
        const key = `k${this.turn.tools.count}`;
        this.byIndex.set(slot ?? key, { key, id });
        this.lastKey = key;
        out.push(this.turn.tools.start(key, id ?? generateCallId(), name, args));
        continue;
      }
      const key = known?.key ?? this.lastKey;
      const piece = key !== undefined ? this.turn.tools.args(key, args) : undefined;
      if (piece) out.push(piece);
    }
    return out.length > 0 ? out : undefined;
  }
}

/** Mistral's `[{type:"thinking",thinking:[{type:"text",text}]},{type:"text",text}]` content. */
function contentParts(parts: unknown[], reasoning: string | undefined): { content: string | undefined; reasoning: string | undefined } {
  let content = '';
  let thought = reasoning ?? '';
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (part.type === 'text') content += stringAt(part, 'text') ?? '';
    else if (part.type === 'thinking' && Array.isArray(part.thinking)) {
      for (const t of part.thinking as unknown[]) thought += stringAt(t, 'text') ?? '';
    }
  }
  return { content: content || undefined, reasoning: thought || undefined };
}

/** The OpenAI-compatible chat adapter. */
export const openAiChatAdapter: DialectAdapter = {
  dialect: ApiDialect.OPENAI_CHAT,
  check: checkOpenAiChat,
  open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const url = joinUrl(req.endpoints.api, req.provider.openAi?.path ?? '/chat/completions');
    return openSseStream(req, url, openAiChatBody(req), new OpenAiChatNormalizer(req));
  },
};

export { openAiChatBody } from './openai-chat-request';
