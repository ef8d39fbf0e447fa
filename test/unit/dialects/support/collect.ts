/** Folds normalized events the way the chat service does: concatenate deltas, last usage wins. */
import type { TokenCounts, UpstreamEvent } from '../../../../src/providers/types';

export interface Collected {
  text: string;
  reasoning: string;
  usage: TokenCounts | undefined;
  finishReason: string | undefined;
  /** Event types in order, to check that `finish` comes last. */
  order: UpstreamEvent['type'][];
}

export function emptyCollected(): Collected {
  return { text: '', reasoning: '', usage: undefined, finishReason: undefined, order: [] };
}

export function fold(into: Collected, event: UpstreamEvent): void {
  into.order.push(event.type);
  switch (event.type) {
    case 'delta':
      into.text += event.content ?? '';
      into.reasoning += event.reasoning ?? '';
      break;
    case 'usage':
      into.usage = event.usage;
      break;
    case 'finish':
      into.finishReason = event.reason;
      break;
  }
}

/** Drains `events`; on an error, returns what was collected before it together with the error. */
export async function collect(events: AsyncIterable<UpstreamEvent>): Promise<Collected & { error?: unknown }> {
  const out: Collected & { error?: unknown } = emptyCollected();
  try {
    for await (const event of events) fold(out, event);
  } catch (err) {
    out.error = err;
  }
  return out;
}
