-- The canonical text each digest was computed over. No backfill: a published period is final (check_period_change).
-- Null means sealed before the format was stored: v2 when approved, else v1 (digest.ts legacyFormat).
ALTER TABLE "periods" ADD COLUMN "digest_format" text;--> statement-breakpoint
ALTER TABLE "periods" ADD CONSTRAINT "periods_digest_format_known" CHECK ("periods"."digest_format" in ('mingbai-period-v1', 'mingbai-period-v2', 'mingbai-period-v3'));
