import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Usage read side: record indexes shaped for the cursor pages, and two rollups (hour and day
 * grains) kept exact by statement-level triggers on usage_records, so summaries over months
 * read thousands of rollup rows instead of millions of records. Generated, then extended by
 * hand: NULLS NOT DISTINCT unique keys (TypeORM cannot declare them; the entities name them
 * with synchronize: false), fillfactor for in-place (HOT) counter updates, the trigger
 * functions, and the backfill of rows that already exist.
 */
export class UsageRollups1795722405974 implements MigrationInterface {
    name = 'UsageRollups1795722405974'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "usage_records_user_page_idx" ON "usage_records" ("user_id", "organization_id", "created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "usage_records_org_page_idx" ON "usage_records" ("organization_id", "created_at", "id") `);
        await queryRunner.query(`DROP INDEX "public"."usage_records_user_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."usage_records_org_time_idx"`);
        await queryRunner.query(`CREATE TABLE "usage_rollups_by_model" ("id" BIGSERIAL NOT NULL, "grain" character varying(4) NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "organization_id" uuid, "personal_user_id" uuid, "key_id" uuid, "provider" character varying(32) NOT NULL, "model" character varying(200) NOT NULL, "status" "public"."usage_status" NOT NULL, "requests" bigint NOT NULL, "input_tokens" bigint NOT NULL, "output_tokens" bigint NOT NULL, "cached_input_tokens" bigint NOT NULL, "reasoning_tokens" bigint NOT NULL, "cost_micro_usd" bigint NOT NULL, "unknown_cost_requests" bigint NOT NULL, CONSTRAINT "usage_rollups_by_model_grain_check" CHECK ("grain" IN ('hour', 'day')), CONSTRAINT "PK_d8f87f2dbe8f1a71f1b92e3ec1b" PRIMARY KEY ("id")) WITH (fillfactor = 80)`);
        await queryRunner.query(`CREATE TABLE "usage_rollups_by_user" ("id" BIGSERIAL NOT NULL, "grain" character varying(4) NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "organization_id" uuid, "user_id" uuid NOT NULL, "requests" bigint NOT NULL, "failed_requests" bigint NOT NULL, "input_tokens" bigint NOT NULL, "output_tokens" bigint NOT NULL, "cached_input_tokens" bigint NOT NULL, "reasoning_tokens" bigint NOT NULL, "cost_micro_usd" bigint NOT NULL, "unknown_cost_requests" bigint NOT NULL, CONSTRAINT "usage_rollups_by_user_grain_check" CHECK ("grain" IN ('hour', 'day')), CONSTRAINT "PK_8e0fad00bc08cf7285cdfb28530" PRIMARY KEY ("id")) WITH (fillfactor = 80)`);

        // Adds the rows of the statement's transition table `changed_rows` (sign 1) or removes them
        // (sign -1) from both rollups at both grains. Each upsert runs in a fixed key order, so
        // concurrent writers lock rollup rows in the same order and cannot deadlock. Rows that
        // drop to zero requests (deletes) are removed, so a group exists only while it has usage.
        await queryRunner.query(`CREATE FUNCTION "usage_rollups_apply"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    sign int := TG_ARGV[0]::int;
    emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO usage_rollups_by_model AS r (grain, bucket_start, organization_id, personal_user_id, key_id, provider, model, status,
            requests, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micro_usd, unknown_cost_requests)
        SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id,
            CASE WHEN c.organization_id IS NULL THEN c.user_id END, c.key_id, c.provider, c.model, c.status,
            sign * count(*), sign * sum(c.input_tokens), sign * sum(c.output_tokens), sign * sum(c.cached_input_tokens),
            sign * sum(c.reasoning_tokens), sign * coalesce(sum(c.cost_micro_usd), 0), sign * count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
        FROM changed_rows c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (organization_id, grain, bucket_start, personal_user_id, key_id, provider, model, status) DO UPDATE SET
            requests = r.requests + EXCLUDED.requests, input_tokens = r.input_tokens + EXCLUDED.input_tokens,
            output_tokens = r.output_tokens + EXCLUDED.output_tokens, cached_input_tokens = r.cached_input_tokens + EXCLUDED.cached_input_tokens,
            reasoning_tokens = r.reasoning_tokens + EXCLUDED.reasoning_tokens, cost_micro_usd = r.cost_micro_usd + EXCLUDED.cost_micro_usd,
            unknown_cost_requests = r.unknown_cost_requests + EXCLUDED.unknown_cost_requests
        RETURNING r.id, r.requests)
    SELECT array_agg(id) INTO emptied FROM up WHERE requests = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM usage_rollups_by_model WHERE id = ANY(emptied);
    END IF;

    WITH up AS (
        INSERT INTO usage_rollups_by_user AS r (grain, bucket_start, organization_id, user_id, requests, failed_requests,
            input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micro_usd, unknown_cost_requests)
        SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id, c.user_id,
            sign * count(*), sign * count(*) FILTER (WHERE c.status = 'FAILED'), sign * sum(c.input_tokens), sign * sum(c.output_tokens),
            sign * sum(c.cached_input_tokens), sign * sum(c.reasoning_tokens), sign * coalesce(sum(c.cost_micro_usd), 0),
            sign * count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
        FROM changed_rows c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, grain, bucket_start, user_id) DO UPDATE SET
            requests = r.requests + EXCLUDED.requests, failed_requests = r.failed_requests + EXCLUDED.failed_requests,
            input_tokens = r.input_tokens + EXCLUDED.input_tokens, output_tokens = r.output_tokens + EXCLUDED.output_tokens,
            cached_input_tokens = r.cached_input_tokens + EXCLUDED.cached_input_tokens, reasoning_tokens = r.reasoning_tokens + EXCLUDED.reasoning_tokens,
            cost_micro_usd = r.cost_micro_usd + EXCLUDED.cost_micro_usd, unknown_cost_requests = r.unknown_cost_requests + EXCLUDED.unknown_cost_requests
        RETURNING r.id, r.requests)
    SELECT array_agg(id) INTO emptied FROM up WHERE requests = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM usage_rollups_by_user WHERE id = ANY(emptied);
    END IF;
    RETURN NULL;
END
$fn$`);
        await queryRunner.query(`CREATE FUNCTION "usage_rollups_clear"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE usage_rollups_by_model, usage_rollups_by_user;
    RETURN NULL;
END
$fn$`);
        // Recomputes both rollups from usage_records (repair, or after a bulk load with the
        // triggers disabled). Writers wait until the caller's transaction ends, so it is exact.
        // Written in (grain, bucket, organization) order: an organization's rows of a bucket
        // share pages, which is what its range reads touch.
        await queryRunner.query(`CREATE FUNCTION "usage_rollups_rebuild"() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    LOCK TABLE usage_records IN SHARE ROW EXCLUSIVE MODE;
    TRUNCATE usage_rollups_by_model, usage_rollups_by_user;
    INSERT INTO usage_rollups_by_model (grain, bucket_start, organization_id, personal_user_id, key_id, provider, model, status,
        requests, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micro_usd, unknown_cost_requests)
    SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id,
        CASE WHEN c.organization_id IS NULL THEN c.user_id END, c.key_id, c.provider, c.model, c.status,
        count(*), sum(c.input_tokens), sum(c.output_tokens), sum(c.cached_input_tokens), sum(c.reasoning_tokens),
        coalesce(sum(c.cost_micro_usd), 0), count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
    FROM usage_records c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 1, 2, 3;
    INSERT INTO usage_rollups_by_user (grain, bucket_start, organization_id, user_id, requests, failed_requests,
        input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micro_usd, unknown_cost_requests)
    SELECT g.grain, date_trunc(g.grain, c.created_at, 'UTC'), c.organization_id, c.user_id,
        count(*), count(*) FILTER (WHERE c.status = 'FAILED'), sum(c.input_tokens), sum(c.output_tokens), sum(c.cached_input_tokens),
        sum(c.reasoning_tokens), coalesce(sum(c.cost_micro_usd), 0), count(*) FILTER (WHERE c.cost_micro_usd IS NULL)
    FROM usage_records c CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3;
END
$fn$`);
        // Rows written before this migration (before the indexes: a bulk insert, then one index build).
        await queryRunner.query(`SELECT "usage_rollups_rebuild"()`);
        await queryRunner.query(`CREATE INDEX "usage_rollups_by_model_personal_idx" ON "usage_rollups_by_model" ("personal_user_id", "grain", "bucket_start") WHERE "personal_user_id" IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "usage_rollups_by_model_dims_key" ON "usage_rollups_by_model" ("organization_id", "grain", "bucket_start", "personal_user_id", "key_id", "provider", "model", "status") NULLS NOT DISTINCT`);
        await queryRunner.query(`CREATE INDEX "usage_rollups_by_user_user_idx" ON "usage_rollups_by_user" ("user_id", "organization_id", "grain", "bucket_start") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "usage_rollups_by_user_dims_key" ON "usage_rollups_by_user" ("organization_id", "grain", "bucket_start", "user_id") NULLS NOT DISTINCT`);
        // An UPDATE removes the old rows and adds the new ones (two triggers: each names one transition table).
        await queryRunner.query(`CREATE TRIGGER "usage_rollups_insert" AFTER INSERT ON "usage_records" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollups_apply"('1')`);
        await queryRunner.query(`CREATE TRIGGER "usage_rollups_update_add" AFTER UPDATE ON "usage_records" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollups_apply"('1')`);
        await queryRunner.query(`CREATE TRIGGER "usage_rollups_update_remove" AFTER UPDATE ON "usage_records" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollups_apply"('-1')`);
        await queryRunner.query(`CREATE TRIGGER "usage_rollups_delete" AFTER DELETE ON "usage_records" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollups_apply"('-1')`);
        await queryRunner.query(`CREATE TRIGGER "usage_rollups_truncate" AFTER TRUNCATE ON "usage_records" FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollups_clear"()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "usage_rollups_truncate" ON "usage_records"`);
        await queryRunner.query(`DROP TRIGGER "usage_rollups_delete" ON "usage_records"`);
        await queryRunner.query(`DROP TRIGGER "usage_rollups_update_remove" ON "usage_records"`);
        await queryRunner.query(`DROP TRIGGER "usage_rollups_update_add" ON "usage_records"`);
        await queryRunner.query(`DROP TRIGGER "usage_rollups_insert" ON "usage_records"`);
        await queryRunner.query(`DROP FUNCTION "usage_rollups_rebuild"()`);
        await queryRunner.query(`DROP FUNCTION "usage_rollups_clear"()`);
        await queryRunner.query(`DROP FUNCTION "usage_rollups_apply"()`);
        await queryRunner.query(`DROP INDEX "public"."usage_rollups_by_user_dims_key"`);
        await queryRunner.query(`DROP INDEX "public"."usage_rollups_by_user_user_idx"`);
        await queryRunner.query(`DROP TABLE "usage_rollups_by_user"`);
        await queryRunner.query(`DROP INDEX "public"."usage_rollups_by_model_dims_key"`);
        await queryRunner.query(`DROP INDEX "public"."usage_rollups_by_model_personal_idx"`);
        await queryRunner.query(`DROP TABLE "usage_rollups_by_model"`);
        await queryRunner.query(`CREATE INDEX "usage_records_org_time_idx" ON "usage_records" ("organization_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "usage_records_user_time_idx" ON "usage_records" ("user_id", "created_at") `);
        await queryRunner.query(`DROP INDEX "public"."usage_records_org_page_idx"`);
        await queryRunner.query(`DROP INDEX "public"."usage_records_user_page_idx"`);
    }

}
