import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { currentUser, type GraphQLContext } from '../../server/context';
import type { Connection } from '../../server/pagination';
import { ByokKeyType } from '../byok-keys/byok-key.type';
import { OrganizationType } from '../organizations/organization.type';
import { UserType } from '../users/user.type';
import { USAGE_TOPIC, type UsageRecordedEvent } from './usage-record';
import type { UsageRecordRow } from './usage-rows';
import { UsageFilterInput, UsageRecordConnection, UsageRecordType } from './usage.types';

@ArgsType()
class UsageRecordedArgs {
  /** Omit: the caller's personal usage; set: that organization's, as usageSummary scopes it. */
  @Field(() => ID, { nullable: true })
  organizationId?: string | null;
}

@Resolver(() => UsageRecordType)
export class UsageRecordsResolver {
  @Authorized()
  @Query(() => UsageRecordConnection, { description: 'Records in [from, to), newest first' })
  async usageRecords(
    @Arg('filter', () => UsageFilterInput) filter: UsageFilterInput,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<UsageRecordType>> {
    const page = await ctx.services.usage.records(currentUser(ctx), filter, first, after);
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: UsageRecordType.from(e.node) })) };
  }

  @Authorized()
  @Subscription(() => UsageRecordType, {
    description: 'Live feed for dashboards: each record as it is written, within the same scope as usageRecords',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, UsageRecordedArgs, GraphQLContext>) => {
      // Guards do not wrap subscribe(): check here too, before anything is subscribed.
      const p = currentUser(context);
      const organizationId = args.organizationId ?? null;
      await context.services.usage.scopeFor(p, organizationId); // NOT_FOUND for a non-member, before subscribing
      // Scope checked in memory per event, with the role as it is now (usage-live.ts).
      return context.services.pubsub.subscribe<UsageRecordedEvent, UsageRecordRow>(USAGE_TOPIC, (e) =>
        context.services.usageLive.deliver(p, organizationId, e),
      );
    },
  })
  usageRecorded(@Root() row: UsageRecordRow, @Args() _args: UsageRecordedArgs): UsageRecordType {
    return UsageRecordType.from(row);
  }

  @FieldResolver(() => UserType)
  async user(@Root() r: UsageRecordType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(r.userId);
    // Usage outlives users: a deleted one still shows as a placeholder rather than failing the page.
    return u ? UserType.from(u) : Object.assign(new UserType(), { id: r.userId, email: '(deleted user)', name: null });
  }

  @FieldResolver(() => OrganizationType, { nullable: true, description: 'The context it was billed to; null for personal' })
  async organization(@Root() r: UsageRecordType, @Ctx() ctx: GraphQLContext): Promise<OrganizationType | null> {
    if (!r.organizationId) return null;
    const o = await ctx.loaders.organization.load(r.organizationId);
    return o ? OrganizationType.from(o) : null;
  }

  @FieldResolver(() => ByokKeyType, { nullable: true, description: 'The BYOK key that served it; null for PLATFORM or once deleted' })
  async key(@Root() r: UsageRecordType, @Ctx() ctx: GraphQLContext): Promise<ByokKeyType | null> {
    if (!r.keyId) return null;
    const k = await ctx.loaders.byokKey.load(r.keyId);
    return k ? ByokKeyType.from(k) : null;
  }
}
