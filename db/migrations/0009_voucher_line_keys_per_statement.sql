-- Custom migration (after drizzle-kit's two DROP CONSTRAINTs): voucher_lines' foreign keys, checked once per statement.
-- A foreign key runs two index lookups with row locks for every line inserted (its voucher, its account): two million
-- for a million-line import, half of the import's time in PostgreSQL. The same rules now hold through statement
-- triggers over the statement's transition table, with the same SQLSTATEs (23503 for a missing voucher or account,
-- MBV01, MBP01): a line's voucher exists and its period is open, its account is in the village's chart, a voucher's
-- lines go when the voucher goes (was ON DELETE CASCADE), and an account in use is never deleted (was RESTRICT).
ALTER TABLE "voucher_lines" DROP CONSTRAINT "voucher_lines_voucher_fk";
--> statement-breakpoint
ALTER TABLE "voucher_lines" DROP CONSTRAINT "voucher_lines_account_fk";
--> statement-breakpoint

-- Balance from the statement's own lines. Every statement that inserts or deletes lines is checked here, and lines are
-- never updated, so before a statement every voucher's lines net to zero; after it, they do if and only if the lines
-- the statement wrote (or removed) net to zero per voucher. A single remaining line cannot net to zero (amounts are
-- positive), so "at least two lines" needs no look at the table either; vouchers left with none are checked at commit
-- (0007). This replaces a join of the statement's lines back to the whole table.
CREATE OR REPLACE FUNCTION check_vouchers_balanced() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
  bad record;
BEGIN
  SELECT t.village_id, t.voucher_id,
         sum(CASE WHEN t.side = 'debit' THEN t.amount_fen ELSE 0 END) AS debit_fen,
         sum(CASE WHEN t.side = 'credit' THEN t.amount_fen ELSE 0 END) AS credit_fen,
         count(*) AS line_count
    INTO bad
    FROM touched t
   GROUP BY t.village_id, t.voucher_id
  HAVING sum(CASE WHEN t.side = 'debit' THEN t.amount_fen ELSE -t.amount_fen END) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'voucher % of village % does not balance: this statement % debit % fen, credit % fen in % lines',
      bad.voucher_id, bad.village_id, CASE TG_OP WHEN 'INSERT' THEN 'inserted' ELSE 'deleted' END, bad.debit_fen, bad.credit_fen, bad.line_count
      USING ERRCODE = 'MBV01';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint

-- After an insert: each line's voucher exists (was voucher_lines_voucher_fk) in an open period (as
-- check_lines_period_open), each account is in the village's chart (was voucher_lines_account_fk). Village by village,
-- so that the joins read one village's vouchers through the primary key, not every village's.
CREATE FUNCTION check_inserted_lines() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
  village integer;
  bad record;
BEGIN
  FOR village IN SELECT DISTINCT t.village_id FROM touched t LOOP
    SELECT t.voucher_id, v.id AS found, v.year, v.month, v.revision, p.status INTO bad
      FROM (SELECT DISTINCT t.voucher_id FROM touched t WHERE t.village_id = village) t
      LEFT JOIN vouchers v ON v.village_id = village AND v.id = t.voucher_id
      LEFT JOIN periods p
        ON p.village_id = village AND p.year = v.year AND p.month = v.month AND p.revision = v.revision
     WHERE v.id IS NULL OR p.status IS DISTINCT FROM 'open'
     LIMIT 1;
    IF FOUND AND bad.found IS NULL THEN
      RAISE EXCEPTION 'insert or update on table "voucher_lines" violates foreign key constraint "voucher_lines_voucher_fk"'
        USING ERRCODE = 'foreign_key_violation', TABLE = 'voucher_lines', CONSTRAINT = 'voucher_lines_voucher_fk',
              DETAIL = format('Key (village_id, voucher_id)=(%s, %s) is not present in table "vouchers".',
                              village, bad.voucher_id);
    ELSIF FOUND THEN
      RAISE EXCEPTION 'period %-% revision % of village % is %, not open',
        bad.year, bad.month, bad.revision, village, bad.status
        USING ERRCODE = 'MBP01';
    END IF;
    SELECT t.standard, t.account_code INTO bad
      FROM (SELECT DISTINCT t.standard, t.account_code FROM touched t WHERE t.village_id = village) t
     WHERE NOT EXISTS (SELECT 1 FROM village_accounts a
                        WHERE a.village_id = village AND a.standard = t.standard AND a.code = t.account_code)
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'insert or update on table "voucher_lines" violates foreign key constraint "voucher_lines_account_fk"'
        USING ERRCODE = 'foreign_key_violation', TABLE = 'voucher_lines', CONSTRAINT = 'voucher_lines_account_fk',
              DETAIL = format('Key (village_id, standard, account_code)=(%s, %s, %s) is not present in table "village_accounts".',
                              village, bad.standard, bad.account_code);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER voucher_lines_period_open_after_insert ON voucher_lines;
--> statement-breakpoint
CREATE TRIGGER voucher_lines_keys_after_insert AFTER INSERT ON voucher_lines
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION check_inserted_lines();
--> statement-breakpoint

-- A voucher's lines go with it (was ON DELETE CASCADE); the line triggers then check what was removed.
CREATE FUNCTION delete_lines_of_deleted_vouchers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  village integer;
BEGIN
  FOR village IN SELECT DISTINCT g.village_id FROM gone g LOOP
    DELETE FROM voucher_lines l
     USING (SELECT g.id FROM gone g WHERE g.village_id = village) g
     WHERE l.village_id = village AND l.voucher_id = g.id;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER vouchers_delete_lines AFTER DELETE ON vouchers
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_lines_of_deleted_vouchers();
--> statement-breakpoint

-- An account a line uses stays in the village's chart (was ON DELETE RESTRICT; its key is not updated either).
CREATE FUNCTION check_village_accounts_unused() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT g.village_id, g.standard, g.code INTO bad
    FROM gone g
   WHERE NOT EXISTS (SELECT 1 FROM village_accounts a
                      WHERE a.village_id = g.village_id AND a.standard = g.standard AND a.code = g.code)
     AND EXISTS (SELECT 1 FROM voucher_lines l
                  WHERE l.village_id = g.village_id AND l.standard = g.standard AND l.account_code = g.code)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "village_accounts" violates foreign key constraint "voucher_lines_account_fk" on table "voucher_lines"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'village_accounts', CONSTRAINT = 'voucher_lines_account_fk',
            DETAIL = format('Key (village_id, standard, code)=(%s, %s, %s) is still referenced from table "voucher_lines".',
                            bad.village_id, bad.standard, bad.code);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER village_accounts_unused_after_delete AFTER DELETE ON village_accounts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION check_village_accounts_unused();
--> statement-breakpoint
CREATE TRIGGER village_accounts_unused_after_update AFTER UPDATE ON village_accounts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION check_village_accounts_unused();
