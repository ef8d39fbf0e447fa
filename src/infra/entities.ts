import { ApiTokenEntity } from '../modules/api-tokens/api-token.entity';
import { AuditEventEntity } from '../modules/audit/audit-event.entity';
import { ByokKeyEntity } from '../modules/byok-keys/byok-key.entity';
import { MembershipEntity } from '../modules/organizations/membership.entity';
import { OrganizationEntity } from '../modules/organizations/organization.entity';
import { UsageDeadLetterEntity } from '../modules/usage/usage-dead-letter.entity';
import { UsageModelRollupEntity } from '../modules/usage/usage-model-rollup.entity';
import { UsageRecordEntity } from '../modules/usage/usage-record.entity';
import { UsageUserRollupEntity } from '../modules/usage/usage-user-rollup.entity';
import { UserEntity } from '../modules/users/user.entity';
import { ValidationJobEntity } from '../modules/validation/validation-job.entity';

/** Every entity; the app, ormconfig.ts and tests share this list. */
export const ENTITIES = [UserEntity, OrganizationEntity, MembershipEntity, ApiTokenEntity, ByokKeyEntity, AuditEventEntity, ValidationJobEntity, UsageRecordEntity, UsageModelRollupEntity, UsageUserRollupEntity, UsageDeadLetterEntity];
