/**
 * A message's content as internal parts: `content` text, or `parts` (text and images in order).
 * Images are an https URL the provider fetches or a base64 data URL of png/jpeg/gif/webp; the
 * gateway never fetches a user-given URL itself.
 */
import { badInput } from '../../errors/app-error';
import type { ContentPart, ImageMediaType, ImageSource, TextPart } from '../../providers/chat-model';
import { ContentPartType, type ChatMessageInput } from './chat.inputs';

const DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/]*={0,2})$/;
const MAX_URL = 4096;

interface PartRules {
  images: boolean;
}

/** Without images (SYSTEM, ASSISTANT) an IMAGE part is refused, so only text parts come back. */
export function messageParts(m: ChatMessageInput, at: string, size: { chars: number }, rules: PartRules & { images: false }): TextPart[];
export function messageParts(m: ChatMessageInput, at: string, size: { chars: number }, rules: PartRules): ContentPart[];
export function messageParts(m: ChatMessageInput, at: string, size: { chars: number }, rules: PartRules): ContentPart[] {
  const hasContent = m.content !== undefined && m.content !== null;
  if (hasContent && m.parts) throw badInput(`${at}: send content or parts, not both`, 'messages');
  const out: ContentPart[] = [];
  if (hasContent) {
    size.chars += m.content!.length;
    pushText(out, m.content!, m.cache && m.role !== 'TOOL' ? m.cache : undefined);
  }
  (m.parts ?? []).forEach((p, j) => {
    const where = `${at}.parts[${j}]`;
    if (p.type === ContentPartType.TEXT) {
      if (typeof p.text !== 'string') throw badInput(`${where}: a TEXT part needs text`, 'messages');
      if (p.imageUrl !== undefined && p.imageUrl !== null) throw badInput(`${where}: a TEXT part takes no imageUrl`, 'messages');
      size.chars += p.text.length;
      pushText(out, p.text, p.cache);
      return;
    }
    if (!rules.images) throw badInput(`${where}: images are allowed only in USER and TOOL messages`, 'messages');
    if (typeof p.imageUrl !== 'string') throw badInput(`${where}: an IMAGE part needs imageUrl`, 'messages');
    size.chars += p.imageUrl.length;
    const image = imageSource(p.imageUrl, where);
    out.push(p.cache ? { type: 'image', image, cache: p.cache } : { type: 'image', image });
  });
  return out;
}

/** §3.8: blank text is dropped (every dialect but OpenAI rejects it). */
function pushText(out: ContentPart[], text: string, cache: TextPart['cache']): void {
  if (text.trim() === '') return;
  out.push(cache ? { type: 'text', text, cache } : { type: 'text', text });
}

export function imageSource(url: string, where: string): ImageSource {
  if (url.startsWith('data:')) {
    const m = DATA_URL.exec(url);
    if (!m || m[2]!.length === 0 || m[2]!.length % 4 !== 0) {
      throw badInput(`${where}: imageUrl must be a base64 data URL of image/png, image/jpeg, image/gif or image/webp`, 'messages');
    }
    return { kind: 'base64', mediaType: m[1] as ImageMediaType, data: m[2]! };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badInput(`${where}: imageUrl must be an https URL or a data URL of an image`, 'messages');
  }
  if (parsed.protocol !== 'https:' || url.length > MAX_URL) {
    throw badInput(`${where}: imageUrl must be an https URL (at most ${MAX_URL} characters) or a data URL of an image`, 'messages');
  }
  return { kind: 'url', url };
}
