import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireId } from '../../errors/validate';
import { currentUser, type GraphQLContext } from '../../server/context';
import { ApiTokenType, CreatedApiTokenType } from './api-token.type';

@Resolver(() => ApiTokenType)
export class ApiTokensResolver {
  @Authorized()
  @Query(() => [ApiTokenType])
  async apiTokens(@Ctx() ctx: GraphQLContext): Promise<ApiTokenType[]> {
    return (await ctx.services.apiTokens.list(currentUser(ctx).userId)).map((t) => ApiTokenType.from(t));
  }

  @Authorized()
  @Mutation(() => CreatedApiTokenType, { description: 'The token is shown once, never again' })
  async createApiToken(@Arg('name') name: string, @Ctx() ctx: GraphQLContext): Promise<CreatedApiTokenType> {
    const { token, apiToken } = await ctx.services.apiTokens.create(currentUser(ctx).userId, name);
    return { token, apiToken: ApiTokenType.from(apiToken) };
  }

  @Authorized()
  @Mutation(() => ApiTokenType)
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ApiTokenType> {
    return ApiTokenType.from(await ctx.services.apiTokens.revoke(currentUser(ctx).userId, requireId(id, 'id')));
  }
}
