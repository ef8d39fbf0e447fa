import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Usage records Postgres refused for what they hold (issue 11, finding 9), kept whole with the
 * error instead of being retried forever from the durable queue. Generated as is.
 */
export class UsageDeadLetters1796196930026 implements MigrationInterface {
    name = 'UsageDeadLetters1796196930026'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "usage_dead_letters" ("id" BIGSERIAL NOT NULL, "request_id" character varying(100) NOT NULL, "record" jsonb NOT NULL, "error_code" character varying(5), "error" character varying(1000) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8640d952995b031ea56f323d22f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "usage_dead_letters_request_id_key" ON "usage_dead_letters" ("request_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."usage_dead_letters_request_id_key"`);
        await queryRunner.query(`DROP TABLE "usage_dead_letters"`);
    }

}
