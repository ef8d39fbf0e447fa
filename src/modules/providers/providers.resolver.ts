import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { getProvider, listProviders } from '../../providers/registry';
import { ProviderId } from '../../providers/types';
import type { GraphQLContext } from '../../server/context';
import { ModelType, ProviderType } from './provider.type';

@Resolver(() => ProviderType)
export class ProvidersResolver {
  @Authorized()
  @Query(() => [ProviderType])
  providers(): ProviderType[] {
    return listProviders().map((p) => ProviderType.from(p));
  }

  @Authorized()
  @Query(() => [ModelType])
  models(
    @Arg('provider', () => ProviderId, { nullable: true }) provider: ProviderId | null,
    @Ctx() ctx: GraphQLContext,
  ): ModelType[] {
    return ctx.services.catalog.list(provider ?? undefined).map((m) => ModelType.from(m));
  }

  /** What a key of this provider can serve. */
  @FieldResolver(() => [ModelType], { name: 'models' })
  providerModels(@Root() p: ProviderType, @Ctx() ctx: GraphQLContext): ModelType[] {
    return ctx.services.catalog.list(getProvider(p.id).id).map((m) => ModelType.from(m));
  }
}
