CREATE TABLE "system_audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "system_audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_key" text NOT NULL,
	"details" jsonb,
	"previous_hash" text,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "system_audit_log_entity_idx" ON "system_audit_log" USING btree ("entity","entity_key");--> statement-breakpoint

-- The system audit log is append-only like audit_log (MBI01 on UPDATE or DELETE).
CREATE TRIGGER system_audit_log_append_only BEFORE UPDATE OR DELETE ON system_audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint

-- Deleting every line of a published voucher left nothing unbalanced for the balance trigger to see: lines, like
-- vouchers, are removed only while their month is open (MBP01).
CREATE TRIGGER voucher_lines_period_open_after_delete AFTER DELETE ON voucher_lines
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION check_lines_period_open();
--> statement-breakpoint

-- TRUNCATE fires no row triggers: refuse it outright on the history tables (MBI01).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER system_audit_log_no_truncate BEFORE TRUNCATE ON system_audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER imported_files_no_truncate BEFORE TRUNCATE ON imported_files
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER periods_no_truncate BEFORE TRUNCATE ON periods
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER vouchers_no_truncate BEFORE TRUNCATE ON vouchers
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER voucher_lines_no_truncate BEFORE TRUNCATE ON voucher_lines
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
