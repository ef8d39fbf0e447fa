/**
 * Which of the `reasoningDetails` a client passed back go to which target (tools.md §4.2
 * "Replay"), and the details each dialect collects from its stream.
 */
import type { ReasoningDetail } from '../chat-model';

/**
 * Anthropic thinking for a Claude target (Anthropic or Bedrock: signatures are portable, §1.4),
 * in their original order. Entries tied to another model are dropped (other models ignore them
 * but bill the tokens, §3.5).
 */
export function claudeThinking(details: readonly ReasoningDetail[], upstreamModel: string): ReasoningDetail[] {
  return details.filter(
    (d) => d.format === 'anthropic-claude-v1' && (d.gw?.model === undefined || d.gw.model === upstreamModel || sameFamily(d.gw.model, upstreamModel)),
  );
}

/** Bedrock ids wrap Anthropic's (`us.anthropic.claude-x-v1:0` vs `claude-x`). */
function sameFamily(a: string, b: string): boolean {
  return a.includes(b) || b.includes(a);
}

/** Gemini thought signatures by our tool-call id, and the one for the text of the turn. */
export function geminiSignatures(details: readonly ReasoningDetail[]): { byCall: Map<string, string>; text?: string } {
  const byCall = new Map<string, string>();
  let text: string | undefined;
  for (const d of details) {
    if (d.format !== 'google-gemini-v1' || d.type !== 'reasoning.encrypted') continue;
    if (d.id !== undefined) byCall.set(d.id, d.data);
    else text = d.data;
  }
  return { byCall, ...(text !== undefined ? { text } : {}) };
}

/** The `reasoning_content` an OpenAI-compatible provider wants back on its own earlier turn. */
export function reasoningContent(details: readonly ReasoningDetail[], provider: string): string | undefined {
  let out: string | undefined;
  for (const d of details) {
    if (d.type === 'reasoning.text' && d.format === 'unknown' && d.gw?.field === 'reasoning_content' && d.gw.provider === provider) {
      out = (out ?? '') + d.text;
    }
  }
  return out;
}
