import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { currentUser, type GraphQLContext } from '../../server/context';
import type { Connection } from '../../server/pagination';
import { ByokKeyType } from '../byok-keys/byok-key.type';
import type { ByokKeyEntity } from '../byok-keys/byok-key.entity';
import type { ValidationJobEntity } from './validation-job.entity';
import { KEY_STATUS_TOPIC, type KeyStatusEvent } from './key-status.service';
import { ValidationJobConnection, ValidationJobType } from './validation-job.type';

@ArgsType()
class StatusChangedArgs {
  @Field(() => ID, { nullable: true })
  organizationId?: string | null;
}

@Resolver(() => ValidationJobType)
export class ValidationResolver {
  @Authorized()
  @Query(() => ValidationJobConnection)
  async validationJobs(
    @Arg('keyId', () => ID) keyId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<ValidationJobType>> {
    return toTypes(await ctx.services.validation.list(currentUser(ctx), keyId, first, after));
  }

  @Authorized()
  @Mutation(() => ValidationJobType, { description: 'Queue a validation now' })
  async validateByokKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ValidationJobType> {
    return ValidationJobType.from(await ctx.services.validation.validateNow(currentUser(ctx), id));
  }

  /** Null once the key was deleted; the job record stays. */
  @FieldResolver(() => ByokKeyType, { nullable: true })
  async key(@Root() job: ValidationJobType, @Ctx() ctx: GraphQLContext): Promise<ByokKeyType | null> {
    const k = await ctx.loaders.visibleKey.load(job.keyId);
    return k ? ByokKeyType.from(k) : null;
  }

  @Authorized()
  @Subscription(() => ByokKeyType, {
    description: "Fires when a validation changes a key's status",
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, StatusChangedArgs, GraphQLContext>) => {
      // Guards do not wrap subscribe(): check here too, before anything is subscribed.
      const p = currentUser(context);
      const orgId = args.organizationId ? (await context.services.organizations.membership(p, args.organizationId)).organizationId : null;
      // Scope checked in memory per event; a member removed meanwhile sees nothing (key-status-live.ts).
      return context.services.pubsub.subscribe<KeyStatusEvent, ByokKeyEntity>(KEY_STATUS_TOPIC, (e) =>
        context.services.keyStatusLive.deliver(p, orgId, e),
      );
    },
  })
  byokKeyStatusChanged(@Root() key: ByokKeyEntity, @Args() _args: StatusChangedArgs): ByokKeyType {
    return ByokKeyType.from(key);
  }
}

@Resolver(() => ByokKeyType)
export class ByokKeyValidationJobsResolver {
  @FieldResolver(() => ValidationJobConnection)
  async validationJobs(
    @Root() key: ByokKeyType,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<ValidationJobType>> {
    // Batched: a list of keys costs one query per distinct (first, after), not one per key.
    return toTypes(await ctx.loaders.validationJobs.load({ keyId: key.id, first, after }));
  }
}

function toTypes(page: Connection<ValidationJobEntity>): Connection<ValidationJobType> {
  return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: ValidationJobType.from(e.node) })) };
}
