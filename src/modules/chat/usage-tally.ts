import type { ToolCallDelta } from '../../providers/chat-model';
import type { TokenCounts } from '../../providers/types';

/** Rough characters per token, for estimates only (when a provider reports no usage). */
const CHARS_PER_TOKEN = 4;

/**
 * Keeps a request's usage: the provider's last reported numbers when there are any (latest
 * wins, providers.md §1.5), else an estimate from the text that actually streamed, marked so.
 */
export class UsageTally {
  private reported: TokenCounts | undefined;
  private outputChars = 0;
  private reasoningChars = 0;

  constructor(private readonly promptChars: number) {}

  addDelta(content: string | undefined, reasoning: string | undefined, toolCalls?: readonly ToolCallDelta[]): void {
    this.outputChars += content?.length ?? 0;
    this.reasoningChars += reasoning?.length ?? 0;
    // A call's name and arguments are output tokens too.
    if (toolCalls) for (const c of toolCalls) this.outputChars += (c.name?.length ?? 0) + (c.arguments?.length ?? 0);
  }

  report(usage: TokenCounts): void {
    this.reported = usage;
  }

  /**
   * The numbers to record and show, and whether they are an estimate. A completed stream's
   * reported usage is the provider's final word. An interrupted one (failed, aborted) has none:
   * what was reported so far is partial (Anthropic's message_start says output_tokens 1), so the
   * input comes from the report when there is one, the output is at least what actually
   * streamed, and the record says it is an estimate.
   */
  final(complete: boolean): { counts: TokenCounts; estimated: boolean } {
    if (this.reported && complete) return { counts: this.reported, estimated: false };
    const reasoningTokens = Math.max(Math.ceil(this.reasoningChars / CHARS_PER_TOKEN), this.reported?.reasoningTokens ?? 0);
    const streamed = Math.ceil(this.outputChars / CHARS_PER_TOKEN) + reasoningTokens;
    return {
      counts: {
        inputTokens: this.reported?.inputTokens ?? Math.ceil(this.promptChars / CHARS_PER_TOKEN),
        outputTokens: Math.max(streamed, this.reported?.outputTokens ?? 0),
        cachedInputTokens: this.reported?.cachedInputTokens ?? 0,
        cacheWriteTokens: this.reported?.cacheWriteTokens ?? 0,
        ...(this.reported?.cacheWrite1hTokens !== undefined ? { cacheWrite1hTokens: this.reported.cacheWrite1hTokens } : {}),
        reasoningTokens,
      },
      estimated: true,
    };
  }
}
