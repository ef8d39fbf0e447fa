import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { getProvider } from '../../providers/registry';
import { currentUser, type GraphQLContext } from '../../server/context';
import { OrganizationType } from '../organizations/organization.type';
import { ProviderType } from '../providers/provider.type';
import { UserType } from '../users/user.type';
import { ByokKeyType } from './byok-key.type';
import { AddByokKeyInput, UpdateByokKeyInput } from './byok-keys.inputs';

@Resolver(() => ByokKeyType)
export class ByokKeysResolver {
  @Authorized()
  @Query(() => [ByokKeyType], { description: 'Omit organizationId: personal keys; set: that organization\'s (any member may list)' })
  async byokKeys(
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ByokKeyType[]> {
    return (await ctx.services.byokKeys.list(currentUser(ctx), organizationId)).map((k) => ByokKeyType.from(k));
  }

  @Authorized()
  @Query(() => ByokKeyType, { nullable: true })
  async byokKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ByokKeyType | null> {
    const k = await ctx.services.byokKeys.find(currentUser(ctx), id);
    return k ? ByokKeyType.from(k) : null;
  }

  @Authorized()
  @Mutation(() => ByokKeyType, { description: 'Stores encrypted, status PENDING, queues validation' })
  async addByokKey(@Arg('input') input: AddByokKeyInput, @Ctx() ctx: GraphQLContext): Promise<ByokKeyType> {
    return ByokKeyType.from(await ctx.services.byokKeys.add(currentUser(ctx), input));
  }

  @Authorized()
  @Mutation(() => ByokKeyType, { description: 'Replaces the secret, status PENDING, queues validation' })
  async updateByokKey(@Arg('input') input: UpdateByokKeyInput, @Ctx() ctx: GraphQLContext): Promise<ByokKeyType> {
    return ByokKeyType.from(await ctx.services.byokKeys.update(currentUser(ctx), input));
  }

  @Authorized()
  @Mutation(() => ByokKeyType)
  async setByokKeyEnabled(
    @Arg('id', () => ID) id: string,
    @Arg('enabled') enabled: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ByokKeyType> {
    return ByokKeyType.from(await ctx.services.byokKeys.setEnabled(currentUser(ctx), id, enabled));
  }

  @Authorized()
  @Mutation(() => ID)
  deleteByokKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<string> {
    return ctx.services.byokKeys.delete(currentUser(ctx), id);
  }

  @FieldResolver(() => ProviderType)
  provider(@Root() key: ByokKeyType): ProviderType {
    return ProviderType.from(getProvider(key.providerId));
  }

  @FieldResolver(() => OrganizationType, { nullable: true, description: 'Null for a personal key' })
  async organization(@Root() key: ByokKeyType, @Ctx() ctx: GraphQLContext): Promise<OrganizationType | null> {
    if (!key.organizationId) return null;
    const org = await ctx.loaders.organization.load(key.organizationId);
    return org ? OrganizationType.from(org) : null;
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Owner of a personal key; null for an organization key' })
  async user(@Root() key: ByokKeyType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!key.userId) return null;
    const u = await ctx.loaders.user.load(key.userId);
    return u ? UserType.from(u) : null;
  }

  @FieldResolver(() => UserType)
  async createdBy(@Root() key: ByokKeyType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(key.createdById);
    // A creator who has since been deleted still shows as a placeholder rather than failing the list.
    return u ? UserType.from(u) : Object.assign(new UserType(), { id: key.createdById, email: '(deleted user)', name: null });
  }
}
