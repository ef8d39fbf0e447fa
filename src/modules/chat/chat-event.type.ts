import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ReasoningDetail } from '../../providers/chat-model';
import { ProviderId } from '../../providers/types';
import { KeySource } from '../usage/usage-enums.type';

export enum ChatEventType {
  START = 'START',
  DELTA = 'DELTA',
  USAGE = 'USAGE',
  DONE = 'DONE',
}
registerEnumType(ChatEventType, { name: 'ChatEventType' });

/** One request's usage. */
@ObjectType('TokenUsage', { simpleResolvers: true })
export class TokenUsageType {
  /** Including cached input. */
  @Field(() => Int)
  inputTokens!: number;

  /** Including reasoning. */
  @Field(() => Int)
  outputTokens!: number;

  @Field(() => Int)
  cachedInputTokens!: number;

  /** Input tokens written to the provider's prompt cache (billed at its write price). */
  @Field(() => Int)
  cacheWriteTokens!: number;

  @Field(() => Int)
  reasoningTokens!: number;

  /** Internal (no field): of cacheWriteTokens, those with a 1-hour TTL, when the provider said. */
  cacheWrite1hTokens?: number;

  /** Estimated provider cost in micro-USD from the catalog price; 0 when unknown (see costKnown). */
  @Field(() => Float)
  costMicroUsd!: number;

  /** False for models the catalog has no price for (passthrough ids). */
  @Field()
  costKnown!: boolean;

  /** True when the provider reported no usage and tokens were estimated. */
  @Field()
  estimated!: boolean;
}

/**
 * One streamed piece of a tool call, in OpenAI's shape: the first piece of call `index` carries
 * id and name, later pieces only more of the arguments' JSON text. Parallel calls have distinct indexes.
 */
@ObjectType('ToolCallDelta', { simpleResolvers: true })
export class ToolCallDeltaType {
  @Field(() => Int)
  index!: number;

  @Field(() => String, { nullable: true })
  id?: string;

  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => String, { nullable: true })
  arguments?: string;
}

@ObjectType('ChatCompletionEvent', { simpleResolvers: true })
export class ChatCompletionEventType {
  @Field(() => ChatEventType)
  type!: ChatEventType;

  @Field(() => ID)
  requestId!: string;

  // START: which key serves the request, so the user can see their key serves it.
  @Field(() => ProviderId, { nullable: true })
  provider?: ProviderId;

  @Field(() => KeySource, { nullable: true })
  keySource?: KeySource;

  @Field(() => ID, { nullable: true })
  keyId?: string | null;

  @Field(() => String, { nullable: true })
  keyHint?: string | null;

  @Field(() => String, { nullable: true })
  upstreamModel?: string;

  // DELTA
  @Field(() => String, { nullable: true })
  content?: string;

  @Field(() => String, { nullable: true })
  reasoning?: string;

  @Field(() => [ToolCallDeltaType], { nullable: true })
  toolCalls?: ToolCallDeltaType[];

  // USAGE (exactly once, before DONE)
  @Field(() => TokenUsageType, { nullable: true })
  usage?: TokenUsageType;

  // DONE: "stop" | "length" | "content_filter" | "tool_calls" | the provider's own
  @Field(() => String, { nullable: true })
  finishReason?: string;

  /** Internal (no field), DONE: the stop sequence the turn ended at (null: one, unnamed); see UpstreamEvent `finish`. */
  stopSequence?: string | null;

  /** Internal (no field): a reasoning detail sealed at its block's end, for front doors that stream signatures. */
  sealed?: ReasoningDetail;

  /** Opaque; pass back on the ASSISTANT message of the next turn. */
  @Field(() => GraphQLJSON, { nullable: true })
  reasoningDetails?: ReasoningDetail[];
}
