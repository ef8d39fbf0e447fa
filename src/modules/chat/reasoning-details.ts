/**
 * Reads the `reasoningDetails` a client passes back on an ASSISTANT message (what a DONE event
 * gave it, tools.md §4.2). Entries of a type the gateway does not know are dropped; a value that
 * is not a list of objects is refused.
 */
import { badInput } from '../../errors/app-error';
import type { ReasoningDetail, ReasoningFormat, ReasoningHint } from '../../providers/chat-model';

const MAX_DETAILS = 256;
const FORMATS: readonly string[] = ['anthropic-claude-v1', 'google-gemini-v1', 'unknown'];

export function parseReasoningDetails(value: unknown, at: string): ReasoningDetail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badInput(`${at}.reasoningDetails must be the list a DONE event returned`, 'messages');
  if (value.length > MAX_DETAILS) throw badInput(`${at}.reasoningDetails holds at most ${MAX_DETAILS} entries`, 'messages');
  const out: ReasoningDetail[] = [];
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badInput(`${at}.reasoningDetails[${i}] must be an object`, 'messages');
    const e = v as Record<string, unknown>;
    const format: ReasoningFormat = typeof e.format === 'string' && FORMATS.includes(e.format) ? (e.format as ReasoningFormat) : 'unknown';
    const index = typeof e.index === 'number' ? e.index : i;
    const common: { format: ReasoningFormat; index: number; id?: string; gw?: ReasoningHint } = { format, index };
    if (typeof e.id === 'string') common.id = e.id;
    const gw = hint(e.gw);
    if (gw) common.gw = gw;
    if (e.type === 'reasoning.text' && typeof e.text === 'string') {
      out.push({ type: 'reasoning.text', text: e.text, ...(typeof e.signature === 'string' ? { signature: e.signature } : {}), ...common });
    } else if (e.type === 'reasoning.encrypted' && typeof e.data === 'string') {
      out.push({ type: 'reasoning.encrypted', data: e.data, ...common });
    }
  });
  return out;
}

function hint(value: unknown): ReasoningHint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const h = value as Record<string, unknown>;
  const out: ReasoningHint = { v: 1 };
  if (typeof h.provider === 'string') out.provider = h.provider;
  if (typeof h.model === 'string') out.model = h.model;
  if (typeof h.field === 'string') out.field = h.field;
  return out;
}
