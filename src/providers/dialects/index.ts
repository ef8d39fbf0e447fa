/**
 * The four wire formats (providers.md §1). A provider names its dialect in its declaration; a
 * missing adapter is a compile error through `satisfies`.
 */
import { ApiDialect } from '../types';
import type { DialectAdapter } from '../types';
import { anthropicMessagesAdapter } from './anthropic-messages';
import { bedrockConverseAdapter } from './bedrock-converse';
import { geminiAdapter } from './gemini';
import { openAiChatAdapter } from './openai-chat';

/** Every dialect's adapter. */
export const DIALECTS = {
  [ApiDialect.OPENAI_CHAT]: openAiChatAdapter,
  [ApiDialect.ANTHROPIC_MESSAGES]: anthropicMessagesAdapter,
  [ApiDialect.GEMINI]: geminiAdapter,
  [ApiDialect.BEDROCK_CONVERSE]: bedrockConverseAdapter,
} satisfies Record<ApiDialect, DialectAdapter>;

/** The adapter for `dialect`. */
export function adapterFor(dialect: ApiDialect): DialectAdapter {
  return DIALECTS[dialect];
}

export { SseParser, parseSse } from './sse-parser';
export type { SseEvent } from './sse-parser';
