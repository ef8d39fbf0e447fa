/**
 * Anthropic Messages SSE (providers.md §1.2): named events, no `[DONE]`, ends at `message_stop`.
 * Also spoken by MiniMax, Kimi Code, Z.ai and BytePlus on their `/anthropic` paths.
 */
import { ApiDialect } from '../types';
import type { DialectAdapter, TokenCounts, UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { anthropicClientHeaders, anthropicMessagesBody, checkAnthropicMessages } from './anthropic-messages-request';
import { TurnState } from './turn-state';
import { malformedStreamError, midstreamError } from './http-error';
import { joinUrl, openSseStream } from './http-stream';
import type { SseNormalizer } from './http-stream';
import { isObject, numberAt, objectAt, parseJson, stringAt } from './json';
import type { JsonObject } from './json';
import type { SseEvent } from './sse-parser';

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
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    case 'pause_turn':
      return 'stop';
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
  /** `cache_creation.ephemeral_1h_input_tokens`, when Anthropic splits the writes by TTL. */
  private cacheWrite1h: number | undefined;
  private finishReason: string | undefined;
  /** Set when the stop reason is `stop_sequence`: the matched sequence Anthropic names (or null). */
  private stopSequence: string | null | undefined;
  private readonly turn: TurnState;
  /** Thinking blocks by content-block index, sealed at their stop. */
  private readonly thinking = new Map<number, { text: string; signature: string }>();

  constructor(private readonly req: Pick<UpstreamChatRequest, 'provider' | 'credential' | 'upstreamModel'>) {
    this.turn = new TurnState(req);
  }

  push(event: SseEvent, out: UpstreamEvent[]): boolean {
    const payload = parseJson(event.data);
    if (!isObject(payload)) throw malformedStreamError(this.req.provider.name);
    const type = event.event ?? stringAt(payload, 'type');
    switch (type) {
      case 'message_start':
        this.mergeUsage(objectAt(objectAt(payload, 'message'), 'usage'), out);
        return false;
      case 'content_block_start':
        this.blockStart(numberAt(payload, 'index') ?? -1, objectAt(payload, 'content_block'), out);
        return false;
      case 'content_block_delta':
        this.delta(numberAt(payload, 'index') ?? -1, objectAt(payload, 'delta'), out);
        return false;
      case 'content_block_stop':
        this.blockStop(numberAt(payload, 'index') ?? -1, out);
        return false;
      case 'message_delta': {
        const delta = objectAt(payload, 'delta');
        const stop = stringAt(delta, 'stop_reason');
        if (stop) {
          this.finishReason = anthropicFinishReason(stop);
          this.stopSequence = stop === 'stop_sequence' ? (stringAt(delta, 'stop_sequence') ?? null) : undefined;
        }
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
        // ping and future event types carry nothing we report.
        return false;
    }
  }

  end(out: UpstreamEvent[]): void {
    // A stream cut before a block's stop still seals its thinking.
    for (const index of [...this.thinking.keys()]) this.blockStop(index, out);
    this.turn.finish(this.finishReason, out, this.stopSequence);
    this.finishReason = undefined;
    this.stopSequence = undefined;
  }

  /** tool_use starts a call under our own index (never the block index, §2.2); thinking is collected. */
  private blockStart(index: number, block: JsonObject | undefined, out: UpstreamEvent[]): void {
    switch (stringAt(block, 'type')) {
      case 'tool_use': {
        const input = objectAt(block, 'input');
        // Non-streaming-style starts may carry the whole input; streamed ones carry `{}`.
        const args = input && Object.keys(input).length > 0 ? JSON.stringify(input) : '';
        out.push({ type: 'delta', toolCalls: [this.turn.tools.start(`b${index}`, stringAt(block, 'id') ?? `toolu_${index}`, stringAt(block, 'name') ?? '', args)] });
        break;
      }
      case 'thinking':
        this.thinking.set(index, { text: stringAt(block, 'thinking') ?? '', signature: stringAt(block, 'signature') ?? '' });
        break;
      case 'redacted_thinking': {
        // Arrives whole; replayed unchanged (§2.2).
        const data = stringAt(block, 'data') ?? '';
        this.turn.seal({ type: 'reasoning.encrypted', data, format: 'anthropic-claude-v1' }, out);
        break;
      }
      default:
        break;
    }
  }

  private delta(index: number, delta: JsonObject | undefined, out: UpstreamEvent[]): void {
    switch (stringAt(delta, 'type')) {
      case 'text_delta': {
        const text = stringAt(delta, 'text');
        if (text) out.push({ type: 'delta', content: text });
        break;
      }
      case 'thinking_delta': {
        const thinking = stringAt(delta, 'thinking');
        const block = this.thinking.get(index);
        if (thinking && block) block.text += thinking;
        if (thinking) out.push({ type: 'delta', reasoning: thinking });
        break;
      }
      case 'signature_delta': {
        const block = this.thinking.get(index);
        if (block) block.signature += stringAt(delta, 'signature') ?? '';
        break;
      }
      case 'input_json_delta': {
        // A no-argument call streams only "" (§3.2): skipped here, "{}" at its stop.
        const piece = this.turn.tools.args(`b${index}`, stringAt(delta, 'partial_json') ?? '');
        if (piece) out.push({ type: 'delta', toolCalls: [piece] });
        break;
      }
      default:
        // citations_delta and future delta types: not part of the gateway's stream.
        break;
    }
  }

  private blockStop(index: number, out: UpstreamEvent[]): void {
    const none = this.turn.tools.close(`b${index}`);
    if (none) out.push({ type: 'delta', toolCalls: [none] });
    const block = this.thinking.get(index);
    if (!block) return;
    this.thinking.delete(index);
    // One entry per block, in block order; empty thinking (display omitted) still has its signature.
    this.turn.seal({ type: 'reasoning.text', text: block.text, signature: block.signature, format: 'anthropic-claude-v1' }, out);
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
    const oneHour = numberAt(objectAt(usage, 'cache_creation'), 'ephemeral_1h_input_tokens');
    if (oneHour !== undefined) this.cacheWrite1h = oneHour;
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
      cacheWriteTokens: u.cache_creation_input_tokens,
      ...(this.cacheWrite1h !== undefined ? { cacheWrite1hTokens: this.cacheWrite1h } : {}),
      reasoningTokens: this.thinkingTokens,
    };
  }
}

/** The Anthropic Messages adapter. */
export const anthropicMessagesAdapter: DialectAdapter = {
  dialect: ApiDialect.ANTHROPIC_MESSAGES,
  check: checkAnthropicMessages,
  open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const url = joinUrl(req.endpoints.api, '/messages');
    const body = anthropicMessagesBody(req);
    // The client's version and betas travel on (Claude Code depends on them, ARCHITECTURE.md "Front doors").
    const client = anthropicClientHeaders(req);
    const call = client ? { ...req, extraHeaders: { ...req.extraHeaders, ...client } } : req;
    return openSseStream(call, url, body, new AnthropicMessagesNormalizer(req));
  },
};

export { ANTHROPIC_DEFAULT_MAX_TOKENS, anthropicMessagesBody } from './anthropic-messages-request';
