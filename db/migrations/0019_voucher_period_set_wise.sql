ALTER TABLE "vouchers" DROP CONSTRAINT "vouchers_period_fk";
--> statement-breakpoint
-- Custom migration (after drizzle-kit's DROP CONSTRAINT): vouchers_period_fk, checked once per statement. The foreign
-- key ran an index lookup with a row lock for every voucher inserted: 417,000 of them for a million-line import, a
-- fifth of PostgreSQL's time in it. The same rule now holds through statement triggers, with the same SQLSTATEs: a
-- voucher's period exists (23503, as the foreign key said it) and is open (MBP01, as before), and a period that
-- vouchers use is not deleted nor its key changed (23503, was ON DELETE RESTRICT). The periods are locked FOR KEY
-- SHARE, once each, as the foreign key locked them once per voucher: a period deleted by another transaction meanwhile
-- waits for this one, then finds the vouchers and is refused.
CREATE OR REPLACE FUNCTION check_vouchers_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed record;
BEGIN
  PERFORM 1 FROM periods p
   WHERE (p.village_id, p.year, p.month, p.revision) IN (SELECT t.village_id, t.year, t.month, t.revision FROM touched t)
     FOR KEY SHARE OF p;
  SELECT t.village_id, t.year, t.month, t.revision, p.status, p.village_id IS NULL AS missing INTO closed
    FROM (SELECT DISTINCT village_id, year, month, revision FROM touched) t
    LEFT JOIN periods p
      ON p.village_id = t.village_id AND p.year = t.year AND p.month = t.month AND p.revision = t.revision
   WHERE p.status IS DISTINCT FROM 'open'
   LIMIT 1;
  IF FOUND AND closed.missing THEN
    RAISE EXCEPTION 'insert or update on table "vouchers" violates foreign key constraint "vouchers_period_fk"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'vouchers', CONSTRAINT = 'vouchers_period_fk',
            DETAIL = format('Key (village_id, year, month, revision)=(%s, %s, %s, %s) is not present in table "periods".',
                            closed.village_id, closed.year, closed.month, closed.revision);
  ELSIF FOUND THEN
    RAISE EXCEPTION 'period %-% revision % of village % is %, not open',
      closed.year, closed.month, closed.revision, closed.village_id, closed.status
      USING ERRCODE = 'MBP01';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION check_periods_unused() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT g.village_id, g.year, g.month, g.revision INTO bad
    FROM gone g
   WHERE NOT EXISTS (SELECT 1 FROM periods p
                      WHERE p.village_id = g.village_id AND p.year = g.year AND p.month = g.month
                        AND p.revision = g.revision)
     AND EXISTS (SELECT 1 FROM vouchers v
                  WHERE v.village_id = g.village_id AND v.year = g.year AND v.month = g.month
                    AND v.revision = g.revision)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "periods" violates foreign key constraint "vouchers_period_fk" on table "vouchers"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'periods', CONSTRAINT = 'vouchers_period_fk',
            DETAIL = format('Key (village_id, year, month, revision)=(%s, %s, %s, %s) is still referenced from table "vouchers".',
                            bad.village_id, bad.year, bad.month, bad.revision);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER periods_unused_after_delete AFTER DELETE ON periods
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION check_periods_unused();
--> statement-breakpoint
CREATE TRIGGER periods_unused_after_update AFTER UPDATE ON periods
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION check_periods_unused();
