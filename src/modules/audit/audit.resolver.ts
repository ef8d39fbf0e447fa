import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { currentUser, type GraphQLContext } from '../../server/context';
import type { Connection } from '../../server/pagination';
import { OrganizationType } from '../organizations/organization.type';
import { UserType } from '../users/user.type';
import { AuditEventConnection, AuditEventType } from './audit-event.type';

@Resolver(() => AuditEventType)
export class AuditResolver {
  @Authorized()
  @Query(() => AuditEventConnection, {
    description: "Organization events for OWNER/ADMIN/BILLING_MANAGER; omit organizationId for the caller's personal events",
  })
  async auditEvents(
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<AuditEventType>> {
    const page = await ctx.services.audit.list(currentUser(ctx), organizationId, first, after);
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: AuditEventType.from(e.node) })) };
  }

  /** Null for the system (validation worker). */
  @FieldResolver(() => UserType, { nullable: true })
  async actor(@Root() e: AuditEventType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!e.actorId) return null;
    const u = await ctx.loaders.user.load(e.actorId);
    return u ? UserType.from(u) : null;
  }

  @FieldResolver(() => OrganizationType, { nullable: true })
  async organization(@Root() e: AuditEventType, @Ctx() ctx: GraphQLContext): Promise<OrganizationType | null> {
    if (!e.organizationId) return null;
    const o = await ctx.loaders.organization.load(e.organizationId);
    return o ? OrganizationType.from(o) : null;
  }
}
