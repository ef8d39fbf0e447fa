import { MigrationInterface, QueryRunner } from "typeorm";

export class ByokKeysAndAudit1795720037791 implements MigrationInterface {
    name = 'ByokKeysAndAudit1795720037791'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "action" character varying(64) NOT NULL, "actor_id" uuid, "organization_id" uuid, "owner_user_id" uuid, "target_id" uuid, "provider" character varying(32), "detail" character varying(1000), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "audit_events_owner_idx" ON "audit_events" ("owner_user_id", "id") `);
        await queryRunner.query(`CREATE INDEX "audit_events_org_idx" ON "audit_events" ("organization_id", "id") `);
        await queryRunner.query(`CREATE TYPE "public"."key_status" AS ENUM('PENDING', 'VALID', 'INVALID', 'UNREACHABLE')`);
        await queryRunner.query(`CREATE TABLE "byok_keys" ("id" uuid NOT NULL, "user_id" uuid, "organization_id" uuid, "provider" character varying(32) NOT NULL, "status" "public"."key_status" NOT NULL DEFAULT 'PENDING', "enabled" boolean NOT NULL DEFAULT true, "hint" character varying(80) NOT NULL, "secret_version" integer NOT NULL DEFAULT '1', "master_key_id" character varying(32) NOT NULL, "wrapped_key" bytea NOT NULL, "secret_iv" bytea NOT NULL, "secret_ciphertext" bytea NOT NULL, "secret_tag" bytea NOT NULL, "last_validated_at" TIMESTAMP WITH TIME ZONE, "last_error" character varying(500), "last_used_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "byok_keys_one_owner" CHECK (("user_id" IS NULL) <> ("organization_id" IS NULL)), CONSTRAINT "PK_61a9e25073ee74d189de4ce5bb7" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "byok_keys_status_idx" ON "byok_keys" ("status", "last_validated_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "byok_keys_org_provider_key" ON "byok_keys" ("organization_id", "provider") WHERE "organization_id" IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "byok_keys_personal_provider_key" ON "byok_keys" ("user_id", "provider") WHERE "organization_id" IS NULL`);
        await queryRunner.query(`ALTER TABLE "byok_keys" ADD CONSTRAINT "FK_ac05d7f3a04ebed1a3df678346b" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "byok_keys" ADD CONSTRAINT "FK_1087a37173d2dcafa78c9f10500" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // Written by hand: the audit trail is append-only, enforced by the database itself.
        await queryRunner.query(`CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
        await queryRunner.query(`CREATE TRIGGER "audit_events_no_change" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"()`);
        await queryRunner.query(`CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "audit_events_no_truncate" ON "audit_events"`);
        await queryRunner.query(`DROP TRIGGER "audit_events_no_change" ON "audit_events"`);
        await queryRunner.query(`DROP FUNCTION "audit_events_append_only"()`);
        await queryRunner.query(`ALTER TABLE "byok_keys" DROP CONSTRAINT "FK_1087a37173d2dcafa78c9f10500"`);
        await queryRunner.query(`ALTER TABLE "byok_keys" DROP CONSTRAINT "FK_ac05d7f3a04ebed1a3df678346b"`);
        await queryRunner.query(`DROP INDEX "public"."byok_keys_personal_provider_key"`);
        await queryRunner.query(`DROP INDEX "public"."byok_keys_org_provider_key"`);
        await queryRunner.query(`DROP INDEX "public"."byok_keys_status_idx"`);
        await queryRunner.query(`DROP TABLE "byok_keys"`);
        await queryRunner.query(`DROP TYPE "public"."key_status"`);
        await queryRunner.query(`DROP INDEX "public"."audit_events_org_idx"`);
        await queryRunner.query(`DROP INDEX "public"."audit_events_owner_idx"`);
        await queryRunner.query(`DROP TABLE "audit_events"`);
    }

}
