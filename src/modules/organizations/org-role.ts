/** Organization roles (contract's OrgRole). */
export enum OrgRole {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  BILLING_MANAGER = 'BILLING_MANAGER',
  MEMBER = 'MEMBER',
}

/** Roles that manage the organization's keys and read its usage and audit trail. */
export const MANAGER_ROLES: readonly OrgRole[] = [OrgRole.OWNER, OrgRole.ADMIN, OrgRole.BILLING_MANAGER];

/** Roles that manage membership. */
export const MEMBERSHIP_ADMIN_ROLES: readonly OrgRole[] = [OrgRole.OWNER, OrgRole.ADMIN];
