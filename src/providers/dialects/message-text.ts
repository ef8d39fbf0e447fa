/** Small helpers over internal message parts, shared by the dialects' request builders. */
import type { ContentPart, ImageSource, JsonObject } from '../chat-model';

/** The text of `parts`, images left out, joined by blank lines. */
export function textOf(parts: readonly ContentPart[]): string {
  let out = '';
  for (const p of parts) if (p.type === 'text') out += out === '' ? p.text : `\n\n${p.text}`;
  return out;
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

/**
 * A call's arguments as the object the Anthropic, Gemini and Bedrock wire formats need (they
 * take `input`/`args` as JSON, not text); arguments that are not an object are wrapped under
 * `wrapKey` (Vercel's `rawInvalidInput` for Anthropic, tools.md §1.2). The text was checked to
 * parse when the request was validated.
 */
export function argumentsObject(args: string, wrapKey: string): JsonObject {
  const value: unknown = JSON.parse(args);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : { [wrapKey]: value };
}
