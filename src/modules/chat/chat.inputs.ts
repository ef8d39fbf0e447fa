import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { ProviderId } from '../../providers/types';

export enum ChatRole {
  SYSTEM = 'SYSTEM',
  USER = 'USER',
  ASSISTANT = 'ASSISTANT',
}
registerEnumType(ChatRole, { name: 'ChatRole' });

@InputType('ChatMessageInput')
export class ChatMessageInput {
  @Field(() => ChatRole)
  role!: ChatRole;

  @Field()
  content!: string;
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
}
