/**
 * A rough input-token count for a request no provider has counted: `count_tokens` on a route
 * without an Anthropic key (the answer says it is an estimate), and `message_start`, which is
 * written before the provider reports its usage.
 */
import { ContentPartType, type ChatCompletionInput } from '../../modules/chat/chat.inputs';

/** The same ratio the usage tally uses for its estimates (modules/chat/usage-tally.ts). */
const CHARS_PER_TOKEN = 4;
/**
 * Anthropic bills an image at about width×height/750 tokens and scales large images down to
 * ~1.15 megapixels, so ~1,600 tokens is the most one image costs there; the size is not known
 * without decoding it, so every image counts as that.
 */
const TOKENS_PER_IMAGE = 1600;

export function estimateInputTokens(input: ChatCompletionInput): number {
  let chars = 0;
  let images = 0;
  for (const m of input.messages) {
    chars += m.content?.length ?? 0;
    for (const p of m.parts ?? []) {
      if (p.type === ContentPartType.IMAGE) images++;
      else chars += p.text?.length ?? 0;
    }
    for (const c of m.toolCalls ?? []) chars += c.name.length + c.arguments.length;
    if (Array.isArray(m.reasoningDetails)) {
      for (const d of m.reasoningDetails as Array<{ text?: unknown }>) chars += typeof d.text === 'string' ? d.text.length : 0;
    }
  }
  for (const t of input.tools ?? []) chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.parameters ?? {}).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + images * TOKENS_PER_IMAGE;
}
