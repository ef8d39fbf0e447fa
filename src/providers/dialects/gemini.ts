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
import { checkGemini, geminiBody } from './gemini-request';
import { generateCallId } from './tool-calls';
import { TurnState } from './turn-state';

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
    // Gemini reports no cache writes (tools.md §2.5).
    cacheWriteTokens: 0,
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
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    case 'MALFORMED_FUNCTION_CALL':
      return 'error';
    default:
      return reason.toLowerCase();
  }
}

/** Stream state of one Gemini response. */
export class GeminiNormalizer implements SseNormalizer {
  private finishReason: string | undefined;
  private readonly turn: TurnState;

  constructor(private readonly req: Pick<UpstreamChatRequest, 'provider' | 'credential' | 'upstreamModel'>) {
    this.turn = new TurnState(req);
  }

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
    if (Array.isArray(parts)) for (const part of parts as unknown[]) if (isObject(part)) this.part(part, out);
    const finish = stringAt(candidate, 'finishReason');
    if (finish) this.finishReason = geminiFinishReason(finish);
    const meta = objectAt(chunk, 'usageMetadata');
    if (meta) out.push({ type: 'usage', usage: normalizeGeminiUsage(meta) });
    return false;
  }

  end(out: UpstreamEvent[]): void {
    // Gemini says STOP even when it called tools (§2.3): the turn state maps it.
    this.turn.finish(this.finishReason, out);
    this.finishReason = undefined;
  }

  /**
   * Each functionCall arrives whole (§2.3): one start piece with all its arguments, under an id
   * we generate (Gemini sends none) and our own index (never the part's position in its chunk).
   * A thought signature is kept by that id, or for the turn's text.
   */
  private part(part: JsonObject, out: UpstreamEvent[]): void {
    const signature = stringAt(part, 'thoughtSignature');
    const call = objectAt(part, 'functionCall');
    if (call) {
      const id = stringAt(call, 'id') || generateCallId();
      const args = JSON.stringify(objectAt(call, 'args') ?? {});
      const tools = this.turn.tools;
      out.push({ type: 'delta', toolCalls: [tools.start(`c${tools.count}`, id, stringAt(call, 'name') ?? '', args)] });
      if (signature) this.turn.keep({ type: 'reasoning.encrypted', data: signature, id, format: 'google-gemini-v1' });
      return;
    }
    if (signature) this.turn.keep({ type: 'reasoning.encrypted', data: signature, format: 'google-gemini-v1' });
    const text = stringAt(part, 'text');
    if (!text) return; // empty signature carriers
    // Thought summaries are parts flagged `thought: true`.
    out.push(part.thought === true ? { type: 'delta', reasoning: text } : { type: 'delta', content: text });
  }
}

/** The Gemini adapter. The key travels in `x-goog-api-key`, never in the URL (logs, proxies). */
export const geminiAdapter: DialectAdapter = {
  dialect: ApiDialect.GEMINI,
  check: checkGemini,
  open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const path = `/models/${encodeURIComponent(req.upstreamModel)}:streamGenerateContent?alt=sse`;
    return openSseStream(req, joinUrl(req.endpoints.api, path), geminiBody(req), new GeminiNormalizer(req));
  },
};

export { geminiBody } from './gemini-request';
