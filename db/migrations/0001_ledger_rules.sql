-- Custom migration: the national charts of accounts and the ledger rules the database itself enforces.

-- First-level accounts, from db/reference/accounts-{2004,2023}.tsv (copied from shared/reference).
INSERT INTO accounts (standard, code, name, class, normal_balance) VALUES
  ('2004', '101', '现金', 'asset', 'debit'),
  ('2004', '102', '银行存款', 'asset', 'debit'),
  ('2004', '111', '短期投资', 'asset', 'debit'),
  ('2004', '112', '应收款', 'asset', 'debit'),
  ('2004', '113', '内部往来', 'asset', 'debit'),
  ('2004', '121', '库存物资', 'asset', 'debit'),
  ('2004', '131', '牲畜(禽)资产', 'asset', 'debit'),
  ('2004', '132', '林木资产', 'asset', 'debit'),
  ('2004', '141', '长期投资', 'asset', 'debit'),
  ('2004', '151', '固定资产', 'asset', 'debit'),
  ('2004', '152', '累计折旧', 'asset', 'credit'),
  ('2004', '153', '固定资产清理', 'asset', 'debit'),
  ('2004', '154', '在建工程', 'asset', 'debit'),
  ('2004', '201', '短期借款', 'liability', 'credit'),
  ('2004', '202', '应付款', 'liability', 'credit'),
  ('2004', '211', '应付工资', 'liability', 'credit'),
  ('2004', '212', '应付福利费', 'liability', 'credit'),
  ('2004', '221', '长期借款及应付款', 'liability', 'credit'),
  ('2004', '231', '一事一议资金', 'liability', 'credit'),
  ('2004', '241', '专项应付款', 'liability', 'credit'),
  ('2004', '301', '资本', 'equity', 'credit'),
  ('2004', '311', '公积公益金', 'equity', 'credit'),
  ('2004', '321', '本年收益', 'equity', 'credit'),
  ('2004', '322', '收益分配', 'equity', 'credit'),
  ('2004', '401', '生产(劳务)成本', 'cost', 'debit'),
  ('2004', '501', '经营收入', 'income', 'credit'),
  ('2004', '502', '经营支出', 'expense', 'debit'),
  ('2004', '511', '发包及上交收入', 'income', 'credit'),
  ('2004', '521', '农业税附加返还收入', 'income', 'credit'),
  ('2004', '522', '补助收入', 'income', 'credit'),
  ('2004', '531', '其他收入', 'income', 'credit'),
  ('2004', '541', '管理费用', 'expense', 'debit'),
  ('2004', '551', '其他支出', 'expense', 'debit'),
  ('2004', '561', '投资收益', 'income', 'credit');
--> statement-breakpoint
INSERT INTO accounts (standard, code, name, class, normal_balance) VALUES
  ('2023', '101', '库存现金', 'asset', 'debit'),
  ('2023', '102', '银行存款', 'asset', 'debit'),
  ('2023', '111', '短期投资', 'asset', 'debit'),
  ('2023', '112', '应收款', 'asset', 'debit'),
  ('2023', '113', '内部往来', 'asset', 'debit'),
  ('2023', '121', '库存物资', 'asset', 'debit'),
  ('2023', '131', '消耗性生物资产', 'asset', 'debit'),
  ('2023', '132', '生产性生物资产', 'asset', 'debit'),
  ('2023', '133', '生产性生物资产累计折旧', 'asset', 'credit'),
  ('2023', '134', '公益性生物资产', 'asset', 'debit'),
  ('2023', '141', '长期投资', 'asset', 'debit'),
  ('2023', '151', '固定资产', 'asset', 'debit'),
  ('2023', '152', '累计折旧', 'asset', 'credit'),
  ('2023', '153', '在建工程', 'asset', 'debit'),
  ('2023', '154', '固定资产清理', 'asset', 'debit'),
  ('2023', '161', '无形资产', 'asset', 'debit'),
  ('2023', '162', '累计摊销', 'asset', 'credit'),
  ('2023', '171', '长期待摊费用', 'asset', 'debit'),
  ('2023', '181', '待处理财产损溢', 'asset', 'debit'),
  ('2023', '201', '短期借款', 'liability', 'credit'),
  ('2023', '211', '应付款', 'liability', 'credit'),
  ('2023', '212', '应付工资', 'liability', 'credit'),
  ('2023', '213', '应付劳务费', 'liability', 'credit'),
  ('2023', '214', '应交税费', 'liability', 'credit'),
  ('2023', '221', '长期借款及应付款', 'liability', 'credit'),
  ('2023', '231', '一事一议资金', 'liability', 'credit'),
  ('2023', '241', '专项应付款', 'liability', 'credit'),
  ('2023', '301', '资本', 'equity', 'credit'),
  ('2023', '311', '公积公益金', 'equity', 'credit'),
  ('2023', '321', '本年收益', 'equity', 'credit'),
  ('2023', '322', '收益分配', 'equity', 'credit'),
  ('2023', '401', '生产(劳务)成本', 'cost', 'debit'),
  ('2023', '501', '经营收入', 'income', 'credit'),
  ('2023', '502', '投资收益', 'income', 'credit'),
  ('2023', '503', '补助收入', 'income', 'credit'),
  ('2023', '504', '其他收入', 'income', 'credit'),
  ('2023', '511', '经营支出', 'expense', 'debit'),
  ('2023', '512', '税金及附加', 'expense', 'debit'),
  ('2023', '513', '管理费用', 'expense', 'debit'),
  ('2023', '514', '公益支出', 'expense', 'debit'),
  ('2023', '515', '其他支出', 'expense', 'debit'),
  ('2023', '521', '所得税费用', 'expense', 'debit');
--> statement-breakpoint

-- Error codes raised here (SQLSTATE class MB) are mapped to coded API errors in api/src/errors.
--   MBV01 voucher unbalanced or with fewer than two lines; MBP01 period not open; MBI01 immutable record.

-- A voucher's lines are written in one statement; at the end of it every voucher it touched must balance.
CREATE FUNCTION check_vouchers_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT l.village_id, l.voucher_id,
         sum(CASE WHEN l.side = 'debit' THEN l.amount_fen ELSE 0 END) AS debit_fen,
         sum(CASE WHEN l.side = 'credit' THEN l.amount_fen ELSE 0 END) AS credit_fen,
         count(*) AS line_count
    INTO bad
    FROM voucher_lines l
   WHERE (l.village_id, l.voucher_id) IN (SELECT DISTINCT t.village_id, t.voucher_id FROM touched t)
   GROUP BY l.village_id, l.voucher_id
  HAVING sum(CASE WHEN l.side = 'debit' THEN l.amount_fen ELSE -l.amount_fen END) <> 0 OR count(*) < 2
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'voucher % of village % does not balance: debit % fen, credit % fen, % lines',
      bad.voucher_id, bad.village_id, bad.debit_fen, bad.credit_fen, bad.line_count
      USING ERRCODE = 'MBV01';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER voucher_lines_balanced_after_insert AFTER INSERT ON voucher_lines
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION check_vouchers_balanced();
--> statement-breakpoint
CREATE TRIGGER voucher_lines_balanced_after_delete AFTER DELETE ON voucher_lines
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION check_vouchers_balanced();
--> statement-breakpoint

-- A voucher inserted without lines would escape the line triggers: check it once more at commit.
CREATE FUNCTION check_voucher_has_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  net numeric;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM vouchers WHERE village_id = NEW.village_id AND id = NEW.id) THEN
    RETURN NULL; -- deleted again in the same transaction
  END IF;
  SELECT count(*), coalesce(sum(CASE WHEN side = 'debit' THEN amount_fen ELSE -amount_fen END), 0)
    INTO n, net FROM voucher_lines WHERE village_id = NEW.village_id AND voucher_id = NEW.id;
  IF n < 2 OR net <> 0 THEN
    RAISE EXCEPTION 'voucher % of village % has % lines and a net of % fen', NEW.id, NEW.village_id, n, net
      USING ERRCODE = 'MBV01';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER vouchers_have_balanced_lines AFTER INSERT ON vouchers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_voucher_has_lines();
--> statement-breakpoint

-- The ledger of a published revision never changes: vouchers and lines are written only while the period is open.
CREATE FUNCTION check_voucher_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v record;
  st text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'vouchers are never updated; replace the voucher while its month is open'
      USING ERRCODE = 'MBI01';
  END IF;
  v := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  SELECT status INTO st FROM periods
   WHERE village_id = v.village_id AND year = v.year AND month = v.month AND revision = v.revision;
  IF st IS DISTINCT FROM 'open' THEN
    RAISE EXCEPTION 'period %-% revision % of village % is %, not open', v.year, v.month, v.revision, v.village_id, st
      USING ERRCODE = 'MBP01';
  END IF;
  RETURN v;
END $$;
--> statement-breakpoint
CREATE TRIGGER vouchers_period_open BEFORE INSERT OR UPDATE OR DELETE ON vouchers
  FOR EACH ROW EXECUTE FUNCTION check_voucher_period_open();
--> statement-breakpoint

CREATE FUNCTION check_lines_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed record;
BEGIN
  SELECT p.village_id, p.year, p.month, p.revision, p.status INTO closed
    FROM (SELECT DISTINCT village_id, voucher_id FROM touched) t
    JOIN vouchers v ON v.village_id = t.village_id AND v.id = t.voucher_id
    JOIN periods p ON p.village_id = v.village_id AND p.year = v.year AND p.month = v.month AND p.revision = v.revision
   WHERE p.status <> 'open'
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'period %-% revision % of village % is %, not open',
      closed.year, closed.month, closed.revision, closed.village_id, closed.status
      USING ERRCODE = 'MBP01';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER voucher_lines_period_open_after_insert AFTER INSERT ON voucher_lines
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION check_lines_period_open();
--> statement-breakpoint

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % is not allowed: % is append-only', TG_OP, TG_TABLE_NAME, TG_TABLE_NAME
    USING ERRCODE = 'MBI01';
END $$;
--> statement-breakpoint
CREATE TRIGGER voucher_lines_never_updated BEFORE UPDATE ON voucher_lines
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER imported_files_append_only BEFORE UPDATE OR DELETE ON imported_files
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint

-- A published revision is final: it may not be edited or removed; a correction is a new revision.
CREATE FUNCTION check_period_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'period %-% revision % of village % is published and cannot change',
      OLD.year, OLD.month, OLD.revision, OLD.village_id
      USING ERRCODE = 'MBI01';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER periods_published_final BEFORE UPDATE OR DELETE ON periods
  FOR EACH ROW EXECUTE FUNCTION check_period_change();
