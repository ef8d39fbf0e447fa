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
import type { JsonObject } from './json';
import type { SseEvent } from './sse-parser';

/** The request body, exported for tests and the mock upstream. */
export function openAiChatBody(req: UpstreamChatRequest): JsonObject {
  const options = req.provider.openAi ?? {};
  const body: JsonObject = {
    model: req.upstreamModel,
    messages: req.messages.map(({ role, content }) => ({ role, content })),
    stream: true,
  };
  // OpenAI sends usage only when asked (§1.1 "Final usage chunk"); always ask unless the
  // provider rejects the option (§3.3).
  if (options.includeUsage !== false) body.stream_options = { include_usage: true };
  if (req.maxTokens !== undefined) body[options.maxTokensField ?? 'max_tokens'] = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) body.stop = req.stop;
  return { ...body, ...options.extraBody };
}

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
  return {
    // prompt_tokens includes cached tokens; checked defensively (§1.5 xAI row) for providers
    // that would report them apart.
    inputTokens: cached > prompt ? prompt + cached : prompt,
    outputTokens: completionExcludesReasoning ? completion + reasoning : completion,
    cachedInputTokens: cached,
    reasoningTokens: reasoning,
  };
}

/** Stream state of one OpenAI-dialect response. */
export class OpenAiChatNormalizer implements SseNormalizer {
  private finishReason: string | undefined;

  constructor(private readonly req: Pick<UpstreamChatRequest, 'provider' | 'credential'>) {}

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
    if (delta) {
      const content = stringAt(delta, 'content');
      // Z.ai, Moonshot, xAI, Inception, Kimi: `reasoning_content`; some hosts say `reasoning`.
      const reasoning = stringAt(delta, 'reasoning_content') ?? stringAt(delta, 'reasoning');
      if (content || reasoning) {
        const ev: Extract<UpstreamEvent, { type: 'delta' }> = { type: 'delta' };
        if (content) ev.content = content;
        if (reasoning) ev.reasoning = reasoning;
        out.push(ev);
      }
    }
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
    // Deferred so `finish` is always the last event, after the final usage chunk.
    if (this.finishReason !== undefined) out.push({ type: 'finish', reason: this.finishReason });
    this.finishReason = undefined;
  }
}

/** The OpenAI-compatible chat adapter. */
export const openAiChatAdapter: DialectAdapter = {
  dialect: ApiDialect.OPENAI_CHAT,
  open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const url = joinUrl(req.endpoints.api, req.provider.openAi?.path ?? '/chat/completions');
    return openSseStream(req, url, openAiChatBody(req), new OpenAiChatNormalizer(req));
  },
};
