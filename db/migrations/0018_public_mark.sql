-- The publication mark: one row that changes, at commit, in every transaction that changes what the public can read
-- (a publication, a correction, a question asked, answered or hidden, a checkpoint, a village or region, the rules,
-- the chart of accounts). Caches of public answers (the API's response cache, the portal's page cache) are keyed by
-- it, and every API process reads it at most every 250 ms from its read database, so an answer cached before a change
-- is never served after the change is seen. `token` is new at every change (a counter alone would repeat after a
-- restore from backup); `n` counts changes, for people.
CREATE TABLE "public_mark" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	"token" uuid DEFAULT gen_random_uuid() NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "public_mark_one_row" CHECK ("public_mark"."one")
);
--> statement-breakpoint
INSERT INTO "public_mark" DEFAULT VALUES;
--> statement-breakpoint
-- Once per transaction (a transaction-local setting remembers it), however many rows it changed. The triggers below are
-- deferred constraint triggers: they run at commit, so the row is locked only for the last instant of the
-- transaction, and a reader never sees the new mark before the change it stands for.
CREATE FUNCTION bump_public_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('mingbai.public_mark_bumped', true) IS DISTINCT FROM txid_current()::text THEN
    UPDATE public_mark SET n = n + 1, token = gen_random_uuid(), changed_at = clock_timestamp();
    PERFORM set_config('mingbai.public_mark_bumped', txid_current()::text, true);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER periods_public_mark AFTER INSERT OR UPDATE OR DELETE ON periods
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER questions_public_mark AFTER INSERT OR UPDATE OR DELETE ON questions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER checkpoints_public_mark AFTER INSERT OR UPDATE OR DELETE ON checkpoints
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER villages_public_mark AFTER INSERT OR UPDATE OR DELETE ON villages
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER regions_public_mark AFTER INSERT OR UPDATE OR DELETE ON regions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER red_flag_rule_sets_public_mark AFTER INSERT OR UPDATE OR DELETE ON red_flag_rule_sets
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER accounts_public_mark AFTER INSERT OR UPDATE OR DELETE ON accounts
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER village_accounts_public_mark AFTER INSERT OR UPDATE OR DELETE ON village_accounts
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER opening_balances_public_mark AFTER INSERT OR UPDATE OR DELETE ON opening_balances
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_mark();
