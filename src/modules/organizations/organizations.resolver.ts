import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { currentUser, type GraphQLContext } from '../../server/context';
import { OrgRole } from './org-role';
import { MembershipType, OrganizationType } from './organization.type';

@Resolver(() => OrganizationType)
export class OrganizationsResolver {
  @Authorized()
  @Query(() => OrganizationType, { nullable: true })
  async organization(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<OrganizationType | null> {
    const org = await ctx.services.organizations.find(currentUser(ctx), id);
    return org ? OrganizationType.from(org) : null;
  }

  @Authorized()
  @Mutation(() => OrganizationType, { description: 'The caller becomes OWNER' })
  async createOrganization(@Arg('name') name: string, @Ctx() ctx: GraphQLContext): Promise<OrganizationType> {
    return OrganizationType.from(await ctx.services.organizations.create(currentUser(ctx), name));
  }

  @Authorized()
  @Mutation(() => MembershipType)
  async addOrganizationMember(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('email') email: string,
    @Arg('role', () => OrgRole) role: OrgRole,
    @Ctx() ctx: GraphQLContext,
  ): Promise<MembershipType> {
    return MembershipType.from(await ctx.services.organizations.addMember(currentUser(ctx), organizationId, email, role));
  }

  @Authorized()
  @Mutation(() => MembershipType, { description: 'OWNER or ADMIN; only an OWNER grants or takes OWNER; the last OWNER stays' })
  async updateOrganizationMemberRole(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => OrgRole) role: OrgRole,
    @Ctx() ctx: GraphQLContext,
  ): Promise<MembershipType> {
    return MembershipType.from(
      await ctx.services.organizations.changeRole(currentUser(ctx), organizationId, userId, role),
    );
  }

  @Authorized()
  @Mutation(() => Boolean)
  removeOrganizationMember(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.services.organizations.removeMember(currentUser(ctx), organizationId, userId);
  }

  @FieldResolver(() => [MembershipType])
  async members(@Root() org: OrganizationType, @Ctx() ctx: GraphQLContext): Promise<MembershipType[]> {
    await ctx.services.organizations.membership(currentUser(ctx), org.id);
    return (await ctx.services.organizations.members(org.id)).map((m) => MembershipType.from(m));
  }
}
