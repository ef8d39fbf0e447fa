/**
 * What every dialect's stream normalizer keeps about one response beyond its deltas: the tool
 * calls (our own indexes, tools.md §3.1), the reasoning details collected for DONE (§4.2), and
 * how the turn ends: `"{}"` for calls that never got arguments (§3.2), then one finish event,
 * `tool_calls` whenever the turn ended for tools although the provider said "stop" (§2).
 */
import type { ReasoningDetail, ReasoningHint } from '../chat-model';
import type { UpstreamChatRequest, UpstreamEvent } from '../types';
import { ToolCallTracker } from './tool-calls';

/** A detail before the turn numbers it and adds its hint. */
export type NewDetail = ReasoningDetail extends infer D ? (D extends ReasoningDetail ? Omit<D, 'index' | 'gw'> : never) : never;

export class TurnState {
  readonly tools = new ToolCallTracker();
  private readonly details: ReasoningDetail[] = [];

  constructor(private readonly req: Pick<UpstreamChatRequest, 'provider'> & { upstreamModel?: string }) {}

  /** Keeps a detail for DONE (numbered in order, with the provider and model it is bound to). */
  keep(detail: NewDetail, hint: Partial<ReasoningHint> = {}): ReasoningDetail {
    const gw: ReasoningHint = { v: 1, provider: this.req.provider.id, ...(this.req.upstreamModel ? { model: this.req.upstreamModel } : {}), ...hint };
    const kept = { ...detail, index: this.details.length, gw } as ReasoningDetail;
    this.details.push(kept);
    return kept;
  }

  /** Keeps a detail and announces it (the Anthropic front door streams a thinking block's signature). */
  seal(detail: NewDetail, out: UpstreamEvent[]): void {
    out.push({ type: 'delta', sealed: this.keep(detail) });
  }

  /**
   * The turn's last events, given the provider's own finish reason (mapped), if it sent one, and
   * the stop sequence it stopped at (null: one of them, it did not say which).
   */
  finish(reason: string | undefined, out: UpstreamEvent[], stopSequence?: string | null): void {
    const noArgs = this.tools.finish();
    if (noArgs.length > 0) out.push({ type: 'delta', toolCalls: noArgs });
    if (reason === undefined && this.tools.count === 0 && this.details.length === 0) return;
    const tools = this.tools.count > 0 && (reason === undefined || reason === 'stop');
    const finish: Extract<UpstreamEvent, { type: 'finish' }> = { type: 'finish', reason: tools ? 'tool_calls' : (reason ?? 'stop') };
    if (this.details.length > 0) finish.reasoningDetails = this.details;
    if (stopSequence !== undefined && finish.reason === 'stop') finish.stopSequence = stopSequence;
    out.push(finish);
  }
}
