/**
 * Tool-call deltas in OpenAI's fragment convention, whatever the dialect (tools.md §2, §3.1,
 * §3.2): our own dense index per call in order of first appearance (never an upstream block or
 * part position: parallel calls must not share one), the first piece with id and name, later
 * pieces only argument text, and `"{}"` for a call whose arguments never came.
 */
import { randomBytes } from 'node:crypto';
import type { ToolCallDelta } from '../chat-model';

interface Tracked {
  index: number;
  args: number;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `call_` + 24 random alphanumerics, for providers that send no call id (Gemini). */
export function generateCallId(): string {
  const bytes = randomBytes(24);
  let id = 'call_';
  for (const b of bytes) id += ALNUM[b % ALNUM.length];
  return id;
}

export class ToolCallTracker {
  private readonly calls = new Map<string, Tracked>();
  private readonly order: Tracked[] = [];

  /** How many calls started. */
  get count(): number {
    return this.order.length;
  }

  /** Whether a call is known under `key` (an upstream index, block index or id). */
  has(key: string): boolean {
    return this.calls.has(key);
  }

  /** A new call under `key`; returns its first piece. */
  start(key: string, id: string, name: string, args = ''): ToolCallDelta {
    const call: Tracked = { index: this.order.length, args: args.length };
    this.calls.set(key, call);
    this.order.push(call);
    return { index: call.index, id, name, arguments: args };
  }

  /** More argument text for the call under `key`; undefined for an unknown call or no text. */
  args(key: string, fragment: string): ToolCallDelta | undefined {
    const call = this.calls.get(key);
    if (!call || fragment === '') return undefined;
    call.args += fragment.length;
    return { index: call.index, arguments: fragment };
  }

  /** `"{}"` pieces for the calls that got no argument text (§3.2); call once, at the end. */
  finish(): ToolCallDelta[] {
    const out: ToolCallDelta[] = [];
    for (const call of this.order) {
      if (call.args === 0) {
        call.args = 2;
        out.push({ index: call.index, arguments: '{}' });
      }
    }
    return out;
  }

  /** `"{}"` for one call that ended without arguments (Anthropic/Bedrock block stop). */
  close(key: string): ToolCallDelta | undefined {
    const call = this.calls.get(key);
    if (!call || call.args > 0) return undefined;
    call.args = 2;
    return { index: call.index, arguments: '{}' };
  }
}
