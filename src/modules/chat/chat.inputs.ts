/**
 * The request of every front door. GraphQL coerces `chatCompletion`'s input into these classes;
 * the REST adapters build plain objects of the same shape (they have no methods), so one
 * validation (`chat-request.ts`) serves all of them. Properties without `@Field` are internal:
 * only a REST adapter can set them (e.g. Anthropic `cache_control` markers a client placed).
 */
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { ProviderId } from '../../providers/types';
import type { CacheMark } from '../../providers/chat-model';

export enum ChatRole {
  SYSTEM = 'SYSTEM',
  USER = 'USER',
  ASSISTANT = 'ASSISTANT',
  TOOL = 'TOOL',
}
registerEnumType(ChatRole, { name: 'ChatRole' });

export enum ContentPartType {
  TEXT = 'TEXT',
  IMAGE = 'IMAGE',
}
registerEnumType(ContentPartType, { name: 'ContentPartType' });

export enum ToolChoiceMode {
  AUTO = 'AUTO',
  NONE = 'NONE',
  REQUIRED = 'REQUIRED',
}
registerEnumType(ToolChoiceMode, { name: 'ToolChoiceMode' });

export enum ResponseFormatType {
  TEXT = 'TEXT',
  JSON_OBJECT = 'JSON_OBJECT',
  JSON_SCHEMA = 'JSON_SCHEMA',
}
registerEnumType(ResponseFormatType, { name: 'ResponseFormatType' });

export enum ReasoningEffort {
  NONE = 'NONE',
  MINIMAL = 'MINIMAL',
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(ReasoningEffort, { name: 'ReasoningEffort' });

@InputType('ContentPartInput')
export class ContentPartInput {
  @Field(() => ContentPartType)
  type!: ContentPartType;

  /** TEXT */
  @Field(() => String, { nullable: true })
  text?: string | null;

  /** IMAGE: https URL or data:image/(png|jpeg|gif|webp);base64,... */
  @Field(() => String, { nullable: true })
  imageUrl?: string | null;

  /** Internal: a prompt-cache breakpoint the client placed on this part (Anthropic front door). */
  cache?: CacheMark;
}

@InputType('ToolCallInput')
export class ToolCallInput {
  @Field()
  id!: string;

  @Field()
  name!: string;

  /** JSON text of the arguments. */
  @Field()
  arguments!: string;
}

@InputType('ChatMessageInput')
export class ChatMessageInput {
  @Field(() => ChatRole)
  role!: ChatRole;

  /** Plain text; for USER (and TOOL) also expressible as parts. */
  @Field(() => String, { nullable: true })
  content?: string | null;

  /** USER (and TOOL): text and images in order, instead of content. */
  @Field(() => [ContentPartInput], { nullable: true })
  parts?: ContentPartInput[] | null;

  /** ASSISTANT: the calls it made, replayed from an earlier turn. */
  @Field(() => [ToolCallInput], { nullable: true })
  toolCalls?: ToolCallInput[] | null;

  /** TOOL: the call this message answers (its content is the result). */
  @Field(() => String, { nullable: true })
  toolCallId?: string | null;

  /** ASSISTANT: the opaque reasoningDetails of that turn's DONE event, passed back verbatim. */
  @Field(() => GraphQLJSON, { nullable: true })
  reasoningDetails?: unknown;

  /** Internal: TOOL result flagged as an error by the client (Anthropic `is_error`). */
  isError?: boolean;

  /** Internal: a cache breakpoint on this message's last block (Anthropic tool_result / tool_use). */
  cache?: CacheMark;
}

@InputType('ToolInput')
export class ToolInput {
  /** ^[a-zA-Z0-9_-]{1,64}$ */
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  /** JSON Schema of the arguments (an object schema). */
  @Field(() => GraphQLJSON, { nullable: true })
  parameters?: unknown;

  /** Internal: OpenAI `strict` on a function tool (REST front door). */
  strict?: boolean;

  /** Internal: a cache breakpoint on this tool definition (Anthropic front door). */
  cache?: CacheMark;
}

@InputType('ToolChoiceInput')
export class ToolChoiceInput {
  @Field(() => ToolChoiceMode, { nullable: true })
  mode?: ToolChoiceMode | null;

  /** Force that one tool. */
  @Field(() => String, { nullable: true })
  name?: string | null;
}

@InputType('ResponseFormatInput')
export class ResponseFormatInput {
  @Field(() => ResponseFormatType)
  type!: ResponseFormatType;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  schema?: unknown;

  @Field(() => Boolean, { nullable: true })
  strict?: boolean | null;
}

@InputType('ReasoningInput')
export class ReasoningInput {
  /** Mapped per provider (reasoning_effort, thinking budgets, thinkingConfig, ...). */
  @Field(() => ReasoningEffort, { nullable: true })
  effort?: ReasoningEffort | null;

  /** A thinking budget in tokens, where the provider takes one. */
  @Field(() => Int, { nullable: true })
  maxTokens?: number | null;

  /** Think, but do not stream the reasoning text back. */
  @Field(() => Boolean, { nullable: true })
  exclude?: boolean | null;
}

@InputType('ChatCompletionInput')
export class ChatCompletionInput {
  /** Gateway model id, see Query.models; or `<provider-slug>/<upstream-id>`. */
  @Field()
  model!: string;

  @Field(() => [ChatMessageInput])
  messages!: ChatMessageInput[];

  /** Route with (and bill to) this organization's keys; omit for personal keys. */
  @Field(() => ID, { nullable: true })
  organizationId?: string | null;

  /** Serve with this provider's key only. */
  @Field(() => ProviderId, { nullable: true })
  provider?: ProviderId | null;

  @Field(() => Int, { nullable: true })
  maxTokens?: number | null;

  @Field(() => Float, { nullable: true })
  temperature?: number | null;

  @Field(() => Float, { nullable: true })
  topP?: number | null;

  @Field(() => [String], { nullable: true })
  stop?: string[] | null;

  @Field(() => [ToolInput], { nullable: true })
  tools?: ToolInput[] | null;

  @Field(() => ToolChoiceInput, { nullable: true })
  toolChoice?: ToolChoiceInput | null;

  @Field(() => Boolean, { nullable: true })
  parallelToolCalls?: boolean | null;

  @Field(() => ResponseFormatInput, { nullable: true })
  responseFormat?: ResponseFormatInput | null;

  @Field(() => ReasoningInput, { nullable: true })
  reasoning?: ReasoningInput | null;

  /**
   * Internal: the Anthropic front door's `anthropic-beta` header, forwarded when the request is
   * served by an Anthropic-dialect provider.
   */
  anthropicBeta?: string[];

  /** Internal: the Anthropic front door's `anthropic-version` header, forwarded like the betas. */
  anthropicVersion?: string;

  /** Internal: the Anthropic front door's `thinking` and `output_config.effort`, as sent (ChatParams). */
  anthropicThinking?: Record<string, unknown>;
  anthropicEffort?: string;

  /** Internal: Anthropic's `top_k` (no GraphQL field: only the Anthropic door takes it). */
  topK?: number;

  /** Internal: a top-level cache breakpoint (Anthropic's top-level `cache_control`). */
  cache?: CacheMark;
}
