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

  addDelta(content: string | undefined, reasoning: string | undefined): void {
    this.outputChars += content?.length ?? 0;
    this.reasoningChars += reasoning?.length ?? 0;
  }

  report(usage: TokenCounts): void {
    this.reported = usage;
  }

  /** The numbers to record and show, and whether they are an estimate. */
  final(): { counts: TokenCounts; estimated: boolean } {
    if (this.reported) return { counts: this.reported, estimated: false };
    const reasoningTokens = Math.ceil(this.reasoningChars / CHARS_PER_TOKEN);
    return {
      counts: {
        inputTokens: Math.ceil(this.promptChars / CHARS_PER_TOKEN),
        outputTokens: Math.ceil(this.outputChars / CHARS_PER_TOKEN) + reasoningTokens,
        cachedInputTokens: 0,
        reasoningTokens,
      },
      estimated: true,
    };
  }
}
