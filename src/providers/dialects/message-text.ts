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
 * Appends to a turn list where consecutive messages of one role merge into one turn (Anthropic,
 * Bedrock and Gemini alternate roles: tool results join the user turn that follows them).
 */
export function turnAppender<R extends string, B>(out: { role: R; content: B[] }[]): (role: R) => B[] {
  return (role) => {
    const last = out[out.length - 1];
    if (last && last.role === role) return last.content;
    const content: B[] = [];
    out.push({ role, content });
    return content;
  };
}
