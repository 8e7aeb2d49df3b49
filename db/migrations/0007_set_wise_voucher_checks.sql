-- Custom migration: the voucher rules of 0001, checked once per statement instead of once per voucher.
-- An import COPYs hundreds of thousands of vouchers in one statement; the row triggers of 0001 ran a query per voucher
-- on insert (period open) and another per voucher at commit (has balanced lines). The rules are unchanged: the same
-- checks, over the statement's transition table, with the same SQLSTATEs (MBP01, MBV01, MBI01).

-- Vouchers are inserted and deleted only while their period is open; checked over all rows the statement wrote.
CREATE FUNCTION check_vouchers_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed record;
BEGIN
  SELECT t.village_id, t.year, t.month, t.revision, p.status INTO closed
    FROM (SELECT DISTINCT village_id, year, month, revision FROM touched) t
    LEFT JOIN periods p
      ON p.village_id = t.village_id AND p.year = t.year AND p.month = t.month AND p.revision = t.revision
   WHERE p.status IS DISTINCT FROM 'open'
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'period %-% revision % of village % is %, not open',
      closed.year, closed.month, closed.revision, closed.village_id, closed.status
      USING ERRCODE = 'MBP01';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER vouchers_period_open ON vouchers;
--> statement-breakpoint
-- An UPDATE is refused row by row, as before (check_voucher_period_open raises MBI01 for it).
CREATE TRIGGER vouchers_never_updated BEFORE UPDATE ON vouchers
  FOR EACH ROW EXECUTE FUNCTION check_voucher_period_open();
--> statement-breakpoint
CREATE TRIGGER vouchers_period_open_after_insert AFTER INSERT ON vouchers
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION check_vouchers_period_open();
--> statement-breakpoint
CREATE TRIGGER vouchers_period_open_after_delete AFTER DELETE ON vouchers
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION check_vouchers_period_open();
--> statement-breakpoint

-- A voucher inserted without lines escapes the line triggers, so it is checked again at commit. A constraint trigger
-- can only be FOR EACH ROW: each statement that inserts vouchers queues one row here with their keys, and the deferred
-- check of that row covers all of them at once and removes it. Outside a transaction this table is always empty; it
-- holds no village's data (hence no leading village_id).
CREATE TABLE voucher_line_checks (
  id bigint GENERATED ALWAYS AS IDENTITY,
  village_ids integer[] NOT NULL,
  voucher_ids bigint[] NOT NULL,
  CONSTRAINT voucher_line_checks_pkey PRIMARY KEY (id)
);
--> statement-breakpoint
CREATE FUNCTION queue_voucher_line_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO voucher_line_checks (village_ids, voucher_ids)
    SELECT array_agg(village_id), array_agg(id) FROM touched HAVING count(*) > 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION check_queued_vouchers_have_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  -- Vouchers deleted again in the same transaction drop out of the join: nothing to check.
  SELECT v.village_id, v.id, count(l.line_no) AS n,
         coalesce(sum(CASE WHEN l.side = 'debit' THEN l.amount_fen ELSE -l.amount_fen END), 0) AS net
    INTO bad
    FROM unnest(NEW.village_ids, NEW.voucher_ids) AS q(village_id, id)
    JOIN vouchers v ON v.village_id = q.village_id AND v.id = q.id
    LEFT JOIN voucher_lines l ON l.village_id = v.village_id AND l.voucher_id = v.id
   GROUP BY v.village_id, v.id
  HAVING count(l.line_no) < 2
      OR coalesce(sum(CASE WHEN l.side = 'debit' THEN l.amount_fen ELSE -l.amount_fen END), 0) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'voucher % of village % has % lines and a net of % fen', bad.id, bad.village_id, bad.n, bad.net
      USING ERRCODE = 'MBV01';
  END IF;
  DELETE FROM voucher_line_checks WHERE id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER voucher_line_checks_at_commit AFTER INSERT ON voucher_line_checks
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_queued_vouchers_have_lines();
--> statement-breakpoint
CREATE TRIGGER vouchers_queue_line_check AFTER INSERT ON vouchers
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION queue_voucher_line_check();
--> statement-breakpoint
DROP TRIGGER vouchers_have_balanced_lines ON vouchers;
