/** Small helpers over internal message parts, shared by the dialects' request builders. */
import type { ContentPart, ImageSource, TextPart } from '../chat-model';

/** The text of `parts`, images left out, joined by blank lines. */
export function textOf(parts: readonly ContentPart[]): string {
  let out = '';
  for (const p of parts) if (p.type === 'text') out += out === '' ? p.text : `\n\n${p.text}`;
  return out;
}

/** Only the text parts. */
export function textParts(parts: readonly ContentPart[]): TextPart[] {
  return parts.filter((p): p is TextPart => p.type === 'text');
}

/** A data URL for inline bytes, the URL itself otherwise. */
export function imageUrl(image: ImageSource): string {
  return image.kind === 'url' ? image.url : `data:${image.mediaType};base64,${image.data}`;
}

/**
 * §3.8: the text of a final (prefill) assistant message loses trailing whitespace, which
 * Anthropic and Bedrock reject.
 */
export function trimFinalAssistant<T extends { role: string }>(messages: T[], trim: (m: T) => void): void {
  const last = messages[messages.length - 1];
  if (last && last.role === 'assistant') trim(last);
}
