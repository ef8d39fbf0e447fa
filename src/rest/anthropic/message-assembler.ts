/**
 * Folds the stream events of one answer into the single `message` object a non-streaming
 * request gets, the way Anthropic's SDK accumulates a stream: text and thinking concatenated,
 * tool inputs parsed from their JSON fragments, usage and stop reason from `message_delta`.
 */
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStreamEvent } from './stream-events';

export class MessageAssembler {
  private message: AnthropicMessage | undefined;
  /** Raw input JSON per tool_use block index, parsed when the block stops. */
  private readonly json = new Map<number, string>();

  add(events: readonly AnthropicStreamEvent[]): void {
    for (const e of events) this.apply(e);
  }

  /** The message so far (complete once `message_stop` was added). */
  result(): AnthropicMessage {
    if (!this.message) throw new Error('no message_start was rendered');
    return this.message;
  }

  private apply(e: AnthropicStreamEvent): void {
    if (e.type === 'message_start') {
      this.message = { ...e.message, content: [], usage: { ...e.message.usage } };
      return;
    }
    const m = this.message;
    if (!m) return;
    switch (e.type) {
      case 'content_block_start':
        m.content[e.index] = { ...e.content_block };
        if (e.content_block.type === 'tool_use') this.json.set(e.index, '');
        return;
      case 'content_block_delta': {
        const block = m.content[e.index];
        if (block) this.appendDelta(block, e.index, e.delta);
        return;
      }
      case 'content_block_stop': {
        const block = m.content[e.index];
        const raw = this.json.get(e.index);
        if (block?.type === 'tool_use' && raw !== undefined) block.input = parseInput(raw);
        return;
      }
      case 'message_delta':
        m.stop_reason = e.delta.stop_reason;
        m.stop_sequence = e.delta.stop_sequence;
        m.usage = { ...e.usage };
        return;
      case 'message_stop':
      case 'ping':
      case 'error':
        return;
    }
  }

  private appendDelta(block: AnthropicContentBlock, index: number, d: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>['delta']): void {
    if (d.type === 'text_delta' && block.type === 'text') block.text += d.text;
    else if (d.type === 'thinking_delta' && block.type === 'thinking') block.thinking += d.thinking;
    else if (d.type === 'signature_delta' && block.type === 'thinking') block.signature = d.signature;
    else if (d.type === 'input_json_delta' && block.type === 'tool_use') this.json.set(index, (this.json.get(index) ?? '') + d.partial_json);
  }
}

/**
 * A call's input object. Arguments cut short (max_tokens mid-call) or not an object become `{}`,
 * since Anthropic's `input` is always an object; the stop reason tells the client why.
 */
function parseInput(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
