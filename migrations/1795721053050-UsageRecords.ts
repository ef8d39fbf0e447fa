import { MigrationInterface, QueryRunner } from "typeorm";

export class UsageRecords1795721053050 implements MigrationInterface {
    name = 'UsageRecords1795721053050'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."key_source" AS ENUM('BYOK', 'PLATFORM')`);
        await queryRunner.query(`CREATE TYPE "public"."usage_status" AS ENUM('SUCCEEDED', 'FAILED', 'ABORTED')`);
        await queryRunner.query(`CREATE TABLE "usage_records" ("id" BIGSERIAL NOT NULL, "request_id" uuid NOT NULL, "user_id" uuid NOT NULL, "organization_id" uuid, "provider" character varying(32) NOT NULL, "key_source" "public"."key_source" NOT NULL, "key_id" uuid, "model" character varying(200) NOT NULL, "upstream_model" character varying(200) NOT NULL, "input_tokens" integer NOT NULL, "output_tokens" integer NOT NULL, "cached_input_tokens" integer NOT NULL, "reasoning_tokens" integer NOT NULL, "usage_estimated" boolean NOT NULL, "cost_micro_usd" bigint, "status" "public"."usage_status" NOT NULL, "error_code" character varying(64), "time_to_first_token_ms" integer, "duration_ms" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e511cf9f7dc53851569f87467a5" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "usage_records_key_time_idx" ON "usage_records" ("key_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "usage_records_user_time_idx" ON "usage_records" ("user_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "usage_records_org_time_idx" ON "usage_records" ("organization_id", "created_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "usage_records_request_id_key" ON "usage_records" ("request_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."usage_records_request_id_key"`);
        await queryRunner.query(`DROP INDEX "public"."usage_records_org_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."usage_records_user_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."usage_records_key_time_idx"`);
        await queryRunner.query(`DROP TABLE "usage_records"`);
        await queryRunner.query(`DROP TYPE "public"."usage_status"`);
        await queryRunner.query(`DROP TYPE "public"."key_source"`);
    }

}
