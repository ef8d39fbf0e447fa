import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { currentUser, type GraphQLContext } from '../../server/context';
import { ByokKeyType } from '../byok-keys/byok-key.type';
import { OrganizationType } from '../organizations/organization.type';
import { UserType } from '../users/user.type';
import { TimeBucket, UsageDimension } from './usage-dimensions';
import { loadKeyUsage } from './usage-loader';
import { UsageFilterInput, UsageGroupType, UsageTotalsType } from './usage.types';

@Resolver(() => UsageGroupType)
export class UsageResolver {
  @Authorized()
  @Query(() => [UsageGroupType], {
    description:
      'Totals over [from, to) grouped by the dimensions and an optional UTC bucket (weeks start on Monday); ' +
      'only groups with requests, ordered by bucket then the dimensions as listed',
  })
  async usageSummary(
    @Arg('filter', () => UsageFilterInput) filter: UsageFilterInput,
    @Arg('groupBy', () => [UsageDimension], { defaultValue: [] }) groupBy: UsageDimension[],
    @Arg('bucket', () => TimeBucket, { nullable: true }) bucket: TimeBucket | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UsageGroupType[]> {
    const groups = await ctx.services.usage.summary(currentUser(ctx), filter, groupBy, bucket);
    return groups.map((g) => UsageGroupType.from(g));
  }

  /** Null when not grouped by KEY, for the platform's keys, and once the key was deleted. */
  @FieldResolver(() => ByokKeyType, { nullable: true })
  async key(@Root() g: UsageGroupType, @Ctx() ctx: GraphQLContext): Promise<ByokKeyType | null> {
    if (!g.keyId) return null;
    const k = await ctx.loaders.byokKey.load(g.keyId);
    return k ? ByokKeyType.from(k) : null;
  }

  @FieldResolver(() => UserType, { nullable: true })
  async user(@Root() g: UsageGroupType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!g.userId) return null;
    const u = await ctx.loaders.user.load(g.userId);
    return u ? UserType.from(u) : null;
  }

  @FieldResolver(() => OrganizationType, { nullable: true })
  async organization(@Root() g: UsageGroupType, @Ctx() ctx: GraphQLContext): Promise<OrganizationType | null> {
    if (!g.organizationId) return null;
    const o = await ctx.loaders.organization.load(g.organizationId);
    return o ? OrganizationType.from(o) : null;
  }
}

@Resolver(() => ByokKeyType)
export class ByokKeyUsageResolver {
  /** Whoever sees the key sees this; a MEMBER's totals of an organization key count their own requests. */
  @FieldResolver(() => UsageTotalsType, { description: 'Usage over [from, to); default: the last 30 days' })
  async usage(
    @Root() key: ByokKeyType,
    @Arg('from', () => Date, { nullable: true }) from: Date | null,
    @Arg('to', () => Date, { nullable: true }) to: Date | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UsageTotalsType> {
    return UsageTotalsType.from(await loadKeyUsage(ctx, key.id, from, to));
  }
}
