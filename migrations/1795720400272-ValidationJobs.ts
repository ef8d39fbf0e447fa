import { MigrationInterface, QueryRunner } from "typeorm";

export class ValidationJobs1795720400272 implements MigrationInterface {
    name = 'ValidationJobs1795720400272'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."validation_outcome" AS ENUM('QUEUED', 'RUNNING', 'VALID', 'INVALID', 'RETRYING', 'UNREACHABLE', 'DISCARDED')`);
        await queryRunner.query(`CREATE TABLE "validation_jobs" ("id" character varying(100) NOT NULL, "key_id" uuid NOT NULL, "user_id" uuid, "organization_id" uuid, "provider" character varying(32) NOT NULL, "secret_version" integer NOT NULL, "trigger" character varying(32) NOT NULL, "outcome" "public"."validation_outcome" NOT NULL DEFAULT 'QUEUED', "attempts" integer NOT NULL DEFAULT '0', "http_status" integer, "error" character varying(500), "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "duration_ms" integer, CONSTRAINT "PK_67010d48b6a4918e82ff5bde348" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "validation_jobs_key_idx" ON "validation_jobs" ("key_id", "queued_at") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."validation_jobs_key_idx"`);
        await queryRunner.query(`DROP TABLE "validation_jobs"`);
        await queryRunner.query(`DROP TYPE "public"."validation_outcome"`);
    }

}
