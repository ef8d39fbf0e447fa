/**
 * Anthropic Messages SSE (providers.md §1.2): named events, no `[DONE]`, ends at `message_stop`.
 * Also spoken by MiniMax, Kimi Code, Z.ai and BytePlus on their `/anthropic` paths.
 */
import { ApiDialect } from '../types';
import type { DialectAdapter, TokenCounts, UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { malformedStreamError, midstreamError } from './http-error';
import { joinUrl, openSseStream } from './http-stream';
import type { SseNormalizer } from './http-stream';
import { isObject, numberAt, objectAt, parseJson, stringAt } from './json';
import type { JsonObject } from './json';
import type { SseEvent } from './sse-parser';

/** Anthropic requires `max_tokens`; used when the caller sets no cap. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** The request body, exported for tests and the mock upstream. */
export function anthropicMessagesBody(req: UpstreamChatRequest): JsonObject {
  const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const body: JsonObject = {
    model: req.upstreamModel,
    max_tokens: req.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: req.messages
      .filter((m) => m.role !== 'system')
      .map(({ role, content }) => ({ role, content })),
    stream: true,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) body.stop_sequences = req.stop;
  return body;
}

const USAGE_FIELDS = ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'output_tokens'] as const;
type UsageField = (typeof USAGE_FIELDS)[number];

/** Maps Anthropic `stop_reason` onto the OpenAI-style finish reasons the gateway reports. */
export function anthropicFinishReason(stopReason: string): string {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    default:
      return stopReason;
  }
}

/** Stream state of one Anthropic Messages response. */
export class AnthropicMessagesNormalizer implements SseNormalizer {
  private readonly usage: Record<UsageField, number> = {
    input_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 0,
  };
  private thinkingTokens = 0;
  private finishReason: string | undefined;

  constructor(private readonly req: Pick<UpstreamChatRequest, 'provider' | 'credential'>) {}

  push(event: SseEvent, out: UpstreamEvent[]): boolean {
    const payload = parseJson(event.data);
    if (!isObject(payload)) throw malformedStreamError(this.req.provider.name);
    const type = event.event ?? stringAt(payload, 'type');
    switch (type) {
      case 'message_start':
        this.mergeUsage(objectAt(objectAt(payload, 'message'), 'usage'), out);
        return false;
      case 'content_block_delta':
        this.delta(objectAt(payload, 'delta'), out);
        return false;
      case 'message_delta': {
        const stop = stringAt(objectAt(payload, 'delta'), 'stop_reason');
        if (stop) this.finishReason = anthropicFinishReason(stop);
        this.mergeUsage(objectAt(payload, 'usage'), out);
        return false;
      }
      case 'message_stop':
        return true;
      case 'error': {
        // §1.2 "Mid-stream": e.g. overloaded_error after HTTP 200.
        const error = objectAt(payload, 'error');
        throw midstreamError(this.req.provider.name, this.req.credential, stringAt(error, 'type'), stringAt(error, 'message'));
      }
      default:
        // ping, content_block_start/stop and future event types carry nothing we report.
        return false;
    }
  }

  end(out: UpstreamEvent[]): void {
    if (this.finishReason !== undefined) out.push({ type: 'finish', reason: this.finishReason });
    this.finishReason = undefined;
  }

  private delta(delta: JsonObject | undefined, out: UpstreamEvent[]): void {
    switch (stringAt(delta, 'type')) {
      case 'text_delta': {
        const text = stringAt(delta, 'text');
        if (text) out.push({ type: 'delta', content: text });
        break;
      }
      case 'thinking_delta': {
        const thinking = stringAt(delta, 'thinking');
        if (thinking) out.push({ type: 'delta', reasoning: thinking });
        break;
      }
      default:
        // input_json_delta, signature_delta, citations_delta: not part of the gateway's stream.
        break;
    }
  }

  /**
   * `message_delta.usage` is cumulative, so each present field overwrites what `message_start`
   * said (vercel/ai's `anthropic-message-delta-input-tokens` fixture: input 43 → 61).
   */
  private mergeUsage(usage: JsonObject | undefined, out: UpstreamEvent[]): void {
    if (!usage) return;
    for (const field of USAGE_FIELDS) {
      const value = numberAt(usage, field);
      if (value !== undefined) this.usage[field] = value;
    }
    const thinking = numberAt(objectAt(usage, 'output_tokens_details'), 'thinking_tokens');
    if (thinking !== undefined) this.thinkingTokens = thinking;
    out.push({ type: 'usage', usage: this.counts() });
  }

  private counts(): TokenCounts {
    const u = this.usage;
    // §1.5: `input_tokens` excludes cache reads and writes; billed input is the sum.
    return {
      inputTokens: u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens,
      outputTokens: u.output_tokens,
      cachedInputTokens: u.cache_read_input_tokens,
      reasoningTokens: this.thinkingTokens,
    };
  }
}

/** The Anthropic Messages adapter. */
export const anthropicMessagesAdapter: DialectAdapter = {
  dialect: ApiDialect.ANTHROPIC_MESSAGES,
  open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const url = joinUrl(req.endpoints.api, '/messages');
    return openSseStream(req, url, anthropicMessagesBody(req), new AnthropicMessagesNormalizer(req));
  },
};
