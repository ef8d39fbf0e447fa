/**
 * The Anthropic Messages request as it arrives on the wire (tools.md §1.2; field names and
 * shapes from the official SDK's `MessageCreateParams`). Checked with zod before anything is
 * mapped, so a malformed body is refused with the path of the offending field. Unknown
 * top-level fields are ignored (Claude Code sends betas' fields the gateway does not serve,
 * e.g. `context_management`); unknown block types are refused, since dropping a block would
 * silently change the conversation.
 */
import { z } from 'zod';

const cacheControl = z
  .object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() })
  .passthrough()
  .nullish();

const textBlock = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl }).passthrough();

const imageSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.object({ type: z.literal('url'), url: z.string() }),
]);
const imageBlock = z.object({ type: z.literal('image'), source: imageSource, cache_control: cacheControl }).passthrough();

const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
    is_error: z.boolean().optional(),
    cache_control: cacheControl,
  })
  .passthrough();

const toolUseBlock = z
  .object({
    type: z.literal('tool_use'),
    id: z.string().min(1),
    name: z.string(),
    input: z.record(z.unknown()),
    cache_control: cacheControl,
  })
  .passthrough();

const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }).passthrough();
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).passthrough();

export const userBlock = z.discriminatedUnion('type', [textBlock, imageBlock, toolResultBlock]);
export const assistantBlock = z.discriminatedUnion('type', [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock]);

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(userBlock)]) }),
  z.object({ role: z.literal('assistant'), content: z.union([z.string(), z.array(assistantBlock)]) }),
]);

const tool = z
  .object({
    // Server tools (web_search_…, bash_…) carry a versioned `type`; only client tools are served.
    type: z.enum(['custom']).optional(),
    name: z.string(),
    description: z.string().optional(),
    input_schema: z.record(z.unknown()),
    cache_control: cacheControl,
  })
  .passthrough();

const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

const thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1) }).passthrough(),
  z.object({ type: z.literal('adaptive') }).passthrough(),
  z.object({ type: z.literal('disabled') }).passthrough(),
]);

const outputConfig = z
  .object({
    effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).optional(),
    format: z.object({ type: z.literal('json_schema'), schema: z.record(z.unknown()) }).nullish(),
  })
  .passthrough();

/** Fields shared by `POST /v1/messages` and `POST /v1/messages/count_tokens`. */
export const countTokensRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(message),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    thinking: thinking.optional(),
    output_config: outputConfig.optional(),
    cache_control: cacheControl,
  })
  .passthrough();

export const messagesRequest = countTokensRequest.extend({
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).passthrough().optional(),
  stream: z.boolean().optional(),
});

export type CountTokensRequest = z.infer<typeof countTokensRequest>;
export type MessagesRequest = z.infer<typeof messagesRequest>;
export type UserBlock = z.infer<typeof userBlock>;
export type AssistantBlock = z.infer<typeof assistantBlock>;
export type CacheControl = z.infer<typeof cacheControl>;
