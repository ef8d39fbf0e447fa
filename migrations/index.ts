import type { MigrationInterface } from 'typeorm';
import { ByokKeysAndAudit1795720037791 } from './1795720037791-ByokKeysAndAudit';
import { Tenancy1795719639315 } from './1795719639315-Tenancy';
import { UsageRecords1795721053050 } from './1795721053050-UsageRecords';
import { UsageRollups1795722405974 } from './1795722405974-UsageRollups';
import { ValidationJobs1795720400272 } from './1795720400272-ValidationJobs';
import { KeyChangeNotify1795800000000 } from './1795800000000-KeyChangeNotify';
import { CacheWriteTokens1796196847874 } from './1796196847874-CacheWriteTokens';
import { UsageDeadLetters1796196930026 } from './1796196930026-UsageDeadLetters';

/**
 * Every migration, in order. Generated with `npm run db:migration:generate -- migrations/<Name>`,
 * read by hand, then listed here (explicit imports work the same under ts-node, jest and dist).
 */
export const MIGRATIONS: Array<new () => MigrationInterface> = [Tenancy1795719639315, ByokKeysAndAudit1795720037791, ValidationJobs1795720400272, UsageRecords1795721053050, UsageRollups1795722405974, KeyChangeNotify1795800000000, CacheWriteTokens1796196847874, UsageDeadLetters1796196930026];
