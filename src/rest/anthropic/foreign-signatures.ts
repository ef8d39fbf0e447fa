/**
 * Replay details Anthropic has no block for, carried through Anthropic clients as the signature
 * of an empty `thinking` block (the shape Anthropic itself sends when thinking display is
 * omitted, which clients keep and send back unchanged, tools.md §4.2). Today: Gemini thought
 * signatures, which Gemini 3 needs back on the call they came with (§3.4). The signature is
 * `gw1.` + base64url of the detail's JSON, so the request parser can tell it from Claude's own
 * signatures and restore the detail; a Claude target never sees it (other formats are dropped
 * for Claude, reasoning-replay.ts).
 */
import type { ReasoningDetail } from '../../providers/chat-model';

const PREFIX = 'gw1.';

/** Whether the door carries this detail as a foreign signature. */
export function isForeign(d: ReasoningDetail): boolean {
  return d.format === 'google-gemini-v1' && d.type === 'reasoning.encrypted';
}

/** Whether `signature` has this door's prefix (a well-formed one decodes, see decodeForeignSignature). */
export function isForeignSignature(signature: string): boolean {
  return signature.startsWith(PREFIX);
}

export function encodeForeignSignature(d: ReasoningDetail): string {
  if (d.type !== 'reasoning.encrypted') throw new TypeError('only encrypted details are carried as signatures');
  const wire: { f: string; d: string; i?: string } = { f: d.format, d: d.data };
  if (d.id !== undefined) wire.i = d.id;
  return PREFIX + Buffer.from(JSON.stringify(wire)).toString('base64url');
}

/** The detail a foreign signature carries (numbered `index`), or undefined for any other signature. */
export function decodeForeignSignature(signature: string, index: number): ReasoningDetail | undefined {
  if (!signature.startsWith(PREFIX)) return undefined;
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(signature.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null) return undefined;
  const { f, d, i } = wire as { f?: unknown; d?: unknown; i?: unknown };
  if (f !== 'google-gemini-v1' || typeof d !== 'string' || d === '' || (i !== undefined && typeof i !== 'string')) return undefined;
  return { type: 'reasoning.encrypted', data: d, format: f, index, ...(typeof i === 'string' ? { id: i } : {}) };
}
