/**
 * Gemini `streamGenerateContent?alt=sse` (providers.md §1.3): `data:` events only, no `[DONE]`,
 * the stream ends at EOF; `usageMetadata` rides on every chunk with running values.
 */
import { ApiDialect } from '../types';
import type { DialectAdapter, TokenCounts, UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { malformedStreamError, midstreamError } from './http-error';
import { joinUrl, openSseStream } from './http-stream';
import type { SseNormalizer } from './http-stream';
import { firstObjectAt, isObject, numberAt, objectAt, parseJson, stringAt } from './json';
import type { JsonObject } from './json';
import type { SseEvent } from './sse-parser';

/** The request body, exported for tests and the mock upstream. */
export function geminiBody(req: UpstreamChatRequest): JsonObject {
  const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const body: JsonObject = {
    contents: req.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
  };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const config: JsonObject = {};
  if (req.maxTokens !== undefined) config.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.topP !== undefined) config.topP = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) config.stopSequences = req.stop;
  body.generationConfig = config;
  return body;
}

/**
 * §1.5: `promptTokenCount` includes cached content; `candidatesTokenCount` excludes thinking,
 * so output = candidates + thoughts.
 */
export function normalizeGeminiUsage(meta: JsonObject): TokenCounts {
  const thoughts = numberAt(meta, 'thoughtsTokenCount') ?? 0;
  return {
    inputTokens: numberAt(meta, 'promptTokenCount') ?? 0,
    outputTokens: (numberAt(meta, 'candidatesTokenCount') ?? 0) + thoughts,
    cachedInputTokens: numberAt(meta, 'cachedContentTokenCount') ?? 0,
    reasoningTokens: thoughts,
  };
}

/** Maps Gemini `finishReason` onto the OpenAI-style finish reasons the gateway reports. */
export function geminiFinishReason(reason: string): string {
  switch (reason) {
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
      return 'content_filter';
    default:
      return reason.toLowerCase();
  }
}

/** Stream state of one Gemini response. */
export class GeminiNormalizer implements SseNormalizer {
  private finishReason: string | undefined;

  constructor(private readonly req: Pick<UpstreamChatRequest, 'provider' | 'credential'>) {}

  push(event: SseEvent, out: UpstreamEvent[]): boolean {
    if (event.data.trim() === '') return false;
    const chunk = parseJson(event.data);
    if (!isObject(chunk)) throw malformedStreamError(this.req.provider.name);
    // Mid-stream framing is [U] in §1.3; Google's error body shape is the best guess.
    const error = objectAt(chunk, 'error');
    if (error) {
      throw midstreamError(this.req.provider.name, this.req.credential, stringAt(error, 'status'), stringAt(error, 'message'));
    }
    const candidate = firstObjectAt(chunk, 'candidates');
    const parts = objectAt(candidate, 'content')?.parts;
    if (Array.isArray(parts)) {
      for (const part of parts as unknown[]) {
        const text = stringAt(part, 'text');
        if (!text) continue; // functionCall parts, empty thoughtSignature carriers
        // Thought summaries are parts flagged `thought: true`.
        out.push(isObject(part) && part.thought === true ? { type: 'delta', reasoning: text } : { type: 'delta', content: text });
      }
    }
    const finish = stringAt(candidate, 'finishReason');
    if (finish) this.finishReason = geminiFinishReason(finish);
    const meta = objectAt(chunk, 'usageMetadata');
    if (meta) out.push({ type: 'usage', usage: normalizeGeminiUsage(meta) });
    return false;
  }

  end(out: UpstreamEvent[]): void {
    if (this.finishReason !== undefined) out.push({ type: 'finish', reason: this.finishReason });
    this.finishReason = undefined;
  }
}

/** The Gemini adapter. The key travels in `x-goog-api-key`, never in the URL (logs, proxies). */
export const geminiAdapter: DialectAdapter = {
  dialect: ApiDialect.GEMINI,
  open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const path = `/models/${encodeURIComponent(req.upstreamModel)}:streamGenerateContent?alt=sse`;
    return openSseStream(req, joinUrl(req.endpoints.api, path), geminiBody(req), new GeminiNormalizer(req));
  },
};
