import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN } from '../../auth/auth-checker';
import { currentUser, type GraphQLContext } from '../../server/context';
import { MembershipType } from '../organizations/organization.type';
import { CreatedUserType, UserType } from './user.type';

@Resolver(() => UserType)
export class UsersResolver {
  @Authorized()
  @Query(() => UserType)
  async me(@Ctx() ctx: GraphQLContext): Promise<UserType> {
    return UserType.from(await ctx.services.users.get(currentUser(ctx).userId));
  }

  @Authorized(ADMIN)
  @Mutation(() => CreatedUserType, { description: 'ADMIN_TOKEN only' })
  async createUser(
    @Arg('email') email: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedUserType> {
    const { user, token } = await ctx.services.users.create(email, name);
    return { user: UserType.from(user), token };
  }

  /** Only memberships in organizations the caller also belongs to. */
  @FieldResolver(() => [MembershipType])
  async organizations(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<MembershipType[]> {
    const list = await ctx.services.organizations.visibleMemberships(currentUser(ctx).userId, user.id);
    return list.map((m) => MembershipType.from(m));
  }
}
