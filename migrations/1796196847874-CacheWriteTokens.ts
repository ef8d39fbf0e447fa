import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Input tokens written to a provider's prompt cache, per record and summed in both rollups
 * (issue 12: cache writes cost more than plain input, up to 1.25x on Claude). Generated, then
 * extended by hand: the rollup functions of UsageRollups1795722405974 sum the new column too;
 * `down` restores them as they were. A constant DEFAULT makes ADD COLUMN a catalog-only change
 * (no table rewrite), and 0 is exact for every existing row, so the rollups need no rebuild.
 */
export class CacheWriteTokens1796196847874 implements MigrationInterface {
    name = 'CacheWriteTokens1796196847874'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "usage_rollups_by_model" ADD "cache_write_tokens" bigint NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "usage_records" ADD "cache_write_tokens" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "usage_rollups_by_user" ADD "cache_write_tokens" bigint NOT NULL DEFAULT '0'`);
        // The triggers keep pointing at these functions: replacing them is enough.
        await queryRunner.query(applyFunction(TOKENS_AFTER));
        await queryRunner.query(rebuildFunction(TOKENS_AFTER));
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(applyFunction(TOKENS_BEFORE));
        await queryRunner.query(rebuildFunction(TOKENS_BEFORE));
        await queryRunner.query(`ALTER TABLE "usage_rollups_by_user" DROP COLUMN "cache_write_tokens"`);
        await queryRunner.query(`ALTER TABLE "usage_records" DROP COLUMN "cache_write_tokens"`);
        await queryRunner.query(`ALTER TABLE "usage_rollups_by_model" DROP COLUMN "cache_write_tokens"`);
    }

}

/**
 * The token counters both rollups sum, before and after this migration. The two functions
 * below are UsageRollups1795722405974's, with these columns as the only variable part; read
 * that migration for why they are written this way (fixed lock order, emptied groups removed).
 */
const TOKENS_BEFORE = ['input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens'] as const;
const TOKENS_AFTER = ['input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens'] as const;

type Tokens = readonly string[];
const columns = (tokens: Tokens) => tokens.join(', ');
const sums = (tokens: Tokens, factor: string) => tokens.map((t) => `${factor}sum(c.${t})`).join(', ');
const adds = (tokens: Tokens) => tokens.map((t) => `${t} = r.${t} + EXCLUDED.${t}`).join(', ');

/** `usage_rollups_apply`: the statement trigger adding (sign 1) or removing (-1) `changed_rows`. */
function applyFunction(tokens: Tokens): string {
    return `CREATE OR REPLACE FUNCTION "usage_rollups_apply"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    sign int := TG_ARGV[0]::int;
    emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO usage_rollups_by_model AS r (grain, bucket_start, organization_id, personal_user_id, key_id, provider, model, status,
            requests, ${columns(tokens)}, cost_micro_usd, unknown_cost_requests)
        SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id,
            CASE WHEN c.organization_id IS NULL THEN c.user_id END, c.key_id, c.provider, c.model, c.status,
            sign * count(*), ${sums(tokens, 'sign * ')},
            sign * coalesce(sum(c.cost_micro_usd), 0), sign * count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
        FROM changed_rows c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (organization_id, grain, bucket_start, personal_user_id, key_id, provider, model, status) DO UPDATE SET
            requests = r.requests + EXCLUDED.requests, ${adds(tokens)},
            cost_micro_usd = r.cost_micro_usd + EXCLUDED.cost_micro_usd, unknown_cost_requests = r.unknown_cost_requests + EXCLUDED.unknown_cost_requests
        RETURNING r.id, r.requests)
    SELECT array_agg(id) INTO emptied FROM up WHERE requests = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM usage_rollups_by_model WHERE id = ANY(emptied);
    END IF;

    WITH up AS (
        INSERT INTO usage_rollups_by_user AS r (grain, bucket_start, organization_id, user_id, requests, failed_requests,
            ${columns(tokens)}, cost_micro_usd, unknown_cost_requests)
        SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id, c.user_id,
            sign * count(*), sign * count(*) FILTER (WHERE c.status = 'FAILED'), ${sums(tokens, 'sign * ')},
            sign * coalesce(sum(c.cost_micro_usd), 0), sign * count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
        FROM changed_rows c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, grain, bucket_start, user_id) DO UPDATE SET
            requests = r.requests + EXCLUDED.requests, failed_requests = r.failed_requests + EXCLUDED.failed_requests, ${adds(tokens)},
            cost_micro_usd = r.cost_micro_usd + EXCLUDED.cost_micro_usd, unknown_cost_requests = r.unknown_cost_requests + EXCLUDED.unknown_cost_requests
        RETURNING r.id, r.requests)
    SELECT array_agg(id) INTO emptied FROM up WHERE requests = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM usage_rollups_by_user WHERE id = ANY(emptied);
    END IF;
    RETURN NULL;
END
$fn$`;
}

/** `usage_rollups_rebuild()`: both rollups recomputed from usage_records (repair, bulk loads). */
function rebuildFunction(tokens: Tokens): string {
    return `CREATE OR REPLACE FUNCTION "usage_rollups_rebuild"() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    LOCK TABLE usage_records IN SHARE ROW EXCLUSIVE MODE;
    TRUNCATE usage_rollups_by_model, usage_rollups_by_user;
    INSERT INTO usage_rollups_by_model (grain, bucket_start, organization_id, personal_user_id, key_id, provider, model, status,
        requests, ${columns(tokens)}, cost_micro_usd, unknown_cost_requests)
    SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id,
        CASE WHEN c.organization_id IS NULL THEN c.user_id END, c.key_id, c.provider, c.model, c.status,
        count(*), ${sums(tokens, '')},
        coalesce(sum(c.cost_micro_usd), 0), count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
    FROM usage_records c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 1, 2, 3;
    INSERT INTO usage_rollups_by_user (grain, bucket_start, organization_id, user_id, requests, failed_requests,
        ${columns(tokens)}, cost_micro_usd, unknown_cost_requests)
    SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id, c.user_id,
        count(*), count(*) FILTER (WHERE c.status = 'FAILED'), ${sums(tokens, '')},
        coalesce(sum(c.cost_micro_usd), 0), count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
    FROM usage_records c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3;
END
$fn$`;
}
