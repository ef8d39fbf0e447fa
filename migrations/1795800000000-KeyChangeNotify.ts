import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Tells every gateway process which owner's BYOK keys changed: NOTIFY byok_keys_changed with
 * `u:<user id>` or `o:<organization id>` (sent at commit), `*` after a TRUNCATE. Routing keeps
 * owners' keys in memory and drops them on these (src/modules/routing/owner-keys.ts). An update
 * that only moves last_used_at (written at most once a minute per key by use) notifies nobody.
 * Hand-written: TypeORM does not model triggers.
 */
export class KeyChangeNotify1795800000000 implements MigrationInterface {
    name = 'KeyChangeNotify1795800000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE FUNCTION "byok_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('byok_keys_changed', '*');
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - 'last_used_at' - 'updated_at') = (to_jsonb(NEW) - 'last_used_at' - 'updated_at') THEN
      RETURN NULL;
    END IF;
    PERFORM pg_notify('byok_keys_changed', CASE WHEN OLD.organization_id IS NULL THEN 'u:' || OLD.user_id ELSE 'o:' || OLD.organization_id END);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_notify('byok_keys_changed', CASE WHEN NEW.organization_id IS NULL THEN 'u:' || NEW.user_id ELSE 'o:' || NEW.organization_id END);
  END IF;
  RETURN NULL;
END
$fn$`);
        await queryRunner.query(`CREATE TRIGGER "byok_keys_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "byok_keys" FOR EACH ROW EXECUTE FUNCTION "byok_keys_notify_change"()`);
        await queryRunner.query(`CREATE TRIGGER "byok_keys_notify_truncate" AFTER TRUNCATE ON "byok_keys" FOR EACH STATEMENT EXECUTE FUNCTION "byok_keys_notify_change"()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "byok_keys_notify_truncate" ON "byok_keys"`);
        await queryRunner.query(`DROP TRIGGER "byok_keys_notify_change" ON "byok_keys"`);
        await queryRunner.query(`DROP FUNCTION "byok_keys_notify_change"()`);
    }
}
