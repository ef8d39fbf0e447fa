/**
 * Tool-call ids toward a provider with its own id rules (tools.md §3.3): an id that fits is
 * kept; one that does not is mapped deterministically (a hash, collision-free within the
 * request), and the call and its result get the same mapping.
 */
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../chat-model';

export interface IdRule {
  fits(id: string): boolean;
  /** A fitting id derived from `id`; `salt` > 0 on a collision. */
  make(id: string, salt: number): string;
}

/** Anthropic `^[a-zA-Z0-9_-]+$`; Bedrock the same, at most 64 characters. */
export const SAFE_ID: IdRule = {
  fits: (id) => /^[a-zA-Z0-9_-]{1,64}$/.test(id),
  make: (id, salt) => `call_${digest(id, salt).slice(0, 24)}`,
};

/** Mistral: exactly 9 alphanumerics. */
export const MISTRAL_ID: IdRule = {
  fits: (id) => /^[a-zA-Z0-9]{9}$/.test(id),
  make: (id, salt) => digest(id, salt).slice(0, 9),
};

function digest(id: string, salt: number): string {
  // base64url without - and _: alphanumerics only.
  return createHash('sha256').update(salt === 0 ? id : `${id}#${salt}`).digest('base64').replace(/[^a-zA-Z0-9]/g, '');
}

/** A function from the request's ids to ids that fit `rule`; identity where nothing needs mapping. */
export function toolIdMap(messages: ChatMessage[], rule: IdRule): (id: string) => string {
  const map = new Map<string, string>();
  const used = new Set<string>();
  const ids: string[] = [];
  for (const m of messages) {
    if (m.role === 'assistant') for (const c of m.toolCalls) ids.push(c.id);
    else if (m.role === 'tool') ids.push(m.toolCallId);
  }
  for (const id of ids) if (rule.fits(id)) used.add(id);
  for (const id of ids) {
    if (map.has(id) || rule.fits(id)) continue;
    let salt = 0;
    let mapped = rule.make(id, salt);
    while (used.has(mapped)) mapped = rule.make(id, ++salt);
    used.add(mapped);
    map.set(id, mapped);
  }
  return (id) => map.get(id) ?? id;
}
