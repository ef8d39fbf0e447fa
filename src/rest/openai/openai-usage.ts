import type { TokenUsageType } from '../../modules/chat/chat-event.type';

/** OpenAI's `usage` object, with OpenRouter's `cost` (USD) when the catalog knows the price. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
  cost?: number;
  is_byok: boolean;
}

export function openAiUsage(u: TokenUsageType, byok: boolean): OpenAiUsage {
  const out: OpenAiUsage = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens, cache_write_tokens: u.cacheWriteTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
    is_byok: byok,
  };
  // micro-USD → USD, OpenRouter's unit; left out when unknown rather than reported as free.
  if (u.costKnown) out.cost = u.costMicroUsd / 1e6;
  return out;
}
