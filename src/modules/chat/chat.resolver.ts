import { Arg, Authorized, Extensions, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { currentUser, type GraphQLContext } from '../../server/context';
import { PASS_THROUGH_EVENTS } from '../../server/pass-through-subscribe';
import { abortable } from './abortable';
import { ChatCompletionEventType } from './chat-event.type';
import { ChatCompletionInput } from './chat.inputs';
import type { ChatStreamItem } from './chat.service';

@Resolver()
export class ChatResolver {
  @Authorized()
  @Subscription(() => ChatCompletionEventType, {
    description: 'Streams a completion through the caller\'s own key. A failure ends it with a coded GraphQL error.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { input: ChatCompletionInput }, GraphQLContext>) => {
      // Guards do not wrap subscribe(): check here, before anything is routed.
      const p = currentUser(context);
      return abortable((signal) => context.services.chat.stream(p, args.input, context.requestId, signal));
    },
  })
  // Over WebSocket the events skip this resolver (server/pass-through-subscribe.ts): it must stay
  // exactly "the event, or throw the error".
  @Extensions({ [PASS_THROUGH_EVENTS]: true })
  chatCompletion(@Root() item: ChatStreamItem, @Arg('input') _input: ChatCompletionInput): ChatCompletionEventType {
    if (item instanceof Error) throw item;
    return item;
  }
}
