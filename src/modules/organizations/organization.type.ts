import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { UserType } from '../users/user.type';
import type { MembershipEntity } from './membership.entity';
import type { OrganizationEntity } from './organization.entity';
import { OrgRole } from './org-role';

registerEnumType(OrgRole, { name: 'OrgRole' });

@ObjectType('Organization', { simpleResolvers: true })
export class OrganizationType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  static from(e: OrganizationEntity): OrganizationType {
    return Object.assign(new OrganizationType(), { id: e.id, name: e.name });
  }
}

@ObjectType('Membership', { simpleResolvers: true })
export class MembershipType {
  @Field(() => OrganizationType)
  organization!: OrganizationType;

  @Field(() => UserType)
  user!: UserType;

  @Field(() => OrgRole)
  role!: OrgRole;

  /** Expects `organization` and `user` relations loaded. */
  static from(m: MembershipEntity): MembershipType {
    if (!m.organization || !m.user) throw new Error('membership relations not loaded');
    return Object.assign(new MembershipType(), {
      organization: OrganizationType.from(m.organization),
      user: UserType.from(m.user),
      role: m.role,
    });
  }
}
