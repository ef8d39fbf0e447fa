import { UsageTally } from '../../../src/modules/chat/usage-tally';

describe('UsageTally', () => {
  const reported = { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, cacheWriteTokens: 0, reasoningTokens: 10 };

  it('a completed stream with reported usage: the provider’s numbers, not estimated', () => {
    const t = new UsageTally(400);
    t.addDelta('x'.repeat(1000), undefined);
    t.report(reported);
    expect(t.final(true)).toEqual({ counts: reported, estimated: false });
  });

  it('the last report wins', () => {
    const t = new UsageTally(0);
    t.report({ ...reported, outputTokens: 1 });
    t.report(reported);
    expect(t.final(true).counts.outputTokens).toBe(30);
  });

  it('no report: estimated from characters (4 per token), reasoning included in output', () => {
    const t = new UsageTally(401);
    t.addDelta('abcdefgh', 'rrrr');
    t.addDelta('ij', undefined);
    expect(t.final(true)).toEqual({
      counts: { inputTokens: 101, outputTokens: 3 + 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 1 },
      estimated: true,
    });
  });

  it('an interrupted stream: input from the partial report, output at least what streamed, marked estimated', () => {
    const t = new UsageTally(400);
    t.report({ inputTokens: 120, outputTokens: 1, cachedInputTokens: 100, cacheWriteTokens: 0, reasoningTokens: 0 });
    t.addDelta('y'.repeat(400), undefined);
    expect(t.final(false)).toEqual({
      counts: { inputTokens: 120, outputTokens: 100, cachedInputTokens: 100, cacheWriteTokens: 0, reasoningTokens: 0 },
      estimated: true,
    });
    const u = new UsageTally(40);
    u.report({ inputTokens: 10, outputTokens: 500, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(u.final(false).counts.outputTokens).toBe(500);
  });
});
