/**
 * The internal event stream (START, DELTA*, USAGE, DONE) → Anthropic Messages stream events.
 *
 * Blocks: a run of reasoning deltas is one `thinking` block, a run of content one `text` block,
 * each tool call one `tool_use` block; a block is stopped when the next one starts (Anthropic
 * never interleaves blocks, and clients such as Claude Code emit a block at its stop). Block
 * indexes are ours, dense from 0.
 *
 * Signatures: the door asks the chat service for `sealed` deltas, which carry each upstream
 * thinking block's replay detail at that block's end. An `anthropic-claude-v1` text detail
 * becomes the open thinking block's `signature_delta` right before its `content_block_stop`
 * (as Anthropic streams it), or a whole block when no thinking text streamed (display
 * "omitted"); a redacted one becomes a whole `redacted_thinking` block. A Gemini thought
 * signature becomes an empty thinking block at the end whose signature carries it
 * (foreign-signatures.ts); reasoning_content details have no Anthropic block and are not shown.
 * Thinking from providers that never sign ends without a signature (signature "").
 */
import { ChatEventType, type ChatCompletionEventType, type TokenUsageType } from '../../modules/chat/chat-event.type';
import type { ReasoningDetail } from '../../providers/chat-model';
import { encodeForeignSignature, isForeign } from './foreign-signatures';
import type { AnthropicStopReason, AnthropicStreamEvent, AnthropicUsage } from './stream-events';

export interface RenderOptions {
  /** `msg_…` */
  messageId: string;
  /** The model as the client named it (Anthropic echoes the request's model). */
  model: string;
  /**
   * Input tokens for `message_start`. The provider's count arrives with USAGE at the end of the
   * internal stream, so this is an estimate; `message_delta` carries the real cumulative usage.
   * A function: the door computes it while the upstream is being called, not before.
   */
  inputTokensEstimate: () => number;
}

type OpenBlock = { kind: 'thinking'; index: number } | { kind: 'text'; index: number } | { kind: 'tool'; index: number };

const KNOWN_STOP: ReadonlySet<string> = new Set<AnthropicStopReason>([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

/** The internal finish reason (OpenAI's words, or the provider's own) → Anthropic's stop_reason. */
export function stopReasonOf(finishReason: string | undefined, madeToolCalls: boolean): AnthropicStopReason {
  let reason: AnthropicStopReason;
  switch (finishReason) {
    case 'length':
      reason = 'max_tokens';
      break;
    case 'tool_calls':
      reason = 'tool_use';
      break;
    case 'content_filter':
      reason = 'refusal';
      break;
    default:
      reason = finishReason !== undefined && KNOWN_STOP.has(finishReason) ? (finishReason as AnthropicStopReason) : 'end_turn';
  }
  // Some providers finish with "stop" after calling tools; Anthropic clients run the tools only on tool_use.
  return reason === 'end_turn' && madeToolCalls ? 'tool_use' : reason;
}

/** Internal usage (input includes cache reads and writes) → Anthropic's (input excludes both). */
export function anthropicUsage(u: Pick<TokenUsageType, 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'cacheWriteTokens' | 'cacheWrite1hTokens'>): AnthropicUsage {
  // Anthropic's own split of the writes by TTL (what 1-hour writes cost more for), when known,
  // in Anthropic's key order.
  const oneHour = u.cacheWrite1hTokens === undefined ? undefined : Math.min(u.cacheWrite1hTokens, u.cacheWriteTokens);
  return {
    input_tokens: Math.max(0, u.inputTokens - u.cachedInputTokens - u.cacheWriteTokens),
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cachedInputTokens,
    ...(oneHour === undefined ? {} : { cache_creation: { ephemeral_5m_input_tokens: u.cacheWriteTokens - oneHour, ephemeral_1h_input_tokens: oneHour } }),
    output_tokens: u.outputTokens,
  };
}

export class MessageRenderer {
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  /** Our tool-call index → its block index. */
  private readonly toolBlocks = new Map<number, number>();
  private usage: AnthropicUsage | undefined;
  /** `anthropic-claude-v1` details already rendered from sealed deltas (DONE repeats them all). */
  private sealed = 0;

  constructor(private readonly opts: RenderOptions) {}

  /** `message_start`, written when the upstream has answered (START). */
  start(): AnthropicStreamEvent[] {
    const { messageId, model, inputTokensEstimate } = this.opts;
    return [
      {
        type: 'message_start',
        message: {
          id: messageId,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: inputTokensEstimate(), cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
      },
    ];
  }

  /** Events for one internal event after START (START itself renders nothing more). */
  push(ev: ChatCompletionEventType): AnthropicStreamEvent[] {
    switch (ev.type) {
      case ChatEventType.START:
        return [];
      case ChatEventType.DELTA:
        return this.delta(ev);
      case ChatEventType.USAGE:
        if (ev.usage) this.usage = anthropicUsage(ev.usage);
        return [];
      case ChatEventType.DONE:
        return this.done(ev.finishReason, ev.reasoningDetails ?? [], ev.stopSequence);
    }
  }

  private delta(ev: ChatCompletionEventType): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    if (ev.reasoning) {
      if (this.open?.kind !== 'thinking') this.begin(out, { kind: 'thinking', index: this.nextIndex }, { type: 'thinking', thinking: '', signature: '' });
      out.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'thinking_delta', thinking: ev.reasoning } });
    }
    // A seal ends the thinking block before it (so before any content of the same delta).
    if (ev.sealed?.format === 'anthropic-claude-v1') {
      this.seal(out, ev.sealed);
      this.sealed++;
    }
    if (ev.content) {
      if (this.open?.kind !== 'text') this.begin(out, { kind: 'text', index: this.nextIndex }, { type: 'text', text: '' });
      out.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'text_delta', text: ev.content } });
    }
    for (const call of ev.toolCalls ?? []) {
      if (call.id !== undefined && call.name !== undefined && !this.toolBlocks.has(call.index)) {
        this.toolBlocks.set(call.index, this.nextIndex);
        this.begin(out, { kind: 'tool', index: this.nextIndex }, { type: 'tool_use', id: call.id, name: call.name, input: {} });
      }
      const index = this.toolBlocks.get(call.index);
      // A later piece of an earlier call goes to that call's block (clients accumulate by index).
      if (index !== undefined && call.arguments) {
        out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: call.arguments } });
      }
    }
    return out;
  }

  private begin(out: AnthropicStreamEvent[], block: OpenBlock, content: Extract<AnthropicStreamEvent, { type: 'content_block_start' }>['content_block']): void {
    this.stopOpen(out);
    this.open = block;
    this.nextIndex++;
    out.push({ type: 'content_block_start', index: block.index, content_block: content });
  }

  private stopOpen(out: AnthropicStreamEvent[]): void {
    const b = this.open;
    if (!b) return;
    out.push({ type: 'content_block_stop', index: b.index });
    this.open = undefined;
  }

  /** A thinking block's end: its signature on the open thinking block, else a whole block. */
  private seal(out: AnthropicStreamEvent[], d: ReasoningDetail): void {
    if (d.type === 'reasoning.text' && this.open?.kind === 'thinking') {
      if (d.signature) out.push({ type: 'content_block_delta', index: this.open.index, delta: { type: 'signature_delta', signature: d.signature } });
      this.stopOpen(out);
      return;
    }
    this.stopOpen(out);
    const index = this.nextIndex++;
    if (d.type === 'reasoning.encrypted') {
      out.push({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: d.data } });
    } else {
      out.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      if (d.text !== '') out.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: d.text } });
      if (d.signature) out.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: d.signature } });
    }
    out.push({ type: 'content_block_stop', index });
  }

  /** `stopSequence` defined: the provider stopped at a stop sequence (named, or null when it did not say). */
  private done(finishReason: string | undefined, details: ReasoningDetail[], stopSequence: string | null | undefined): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    this.stopOpen(out);
    // Details no sealed delta brought (a stream without seals) come whole, after the rest.
    for (const d of details.filter((x) => x.format === 'anthropic-claude-v1').slice(this.sealed)) this.seal(out, d);
    // Gemini thought signatures ride as empty thinking blocks, replayed on the next turn (foreign-signatures.ts).
    for (const d of details) if (isForeign(d)) this.seal(out, { type: 'reasoning.text', text: '', signature: encodeForeignSignature(d), format: d.format, index: d.index });
    const usage = this.usage ?? { input_tokens: this.opts.inputTokensEstimate(), cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
    const stop_reason = stopSequence !== undefined ? 'stop_sequence' : stopReasonOf(finishReason, this.toolBlocks.size > 0);
    out.push({ type: 'message_delta', delta: { stop_reason, stop_sequence: stopSequence ?? null }, usage });
    out.push({ type: 'message_stop' });
    return out;
  }
}
