-- A published month's review is sealed with it (the v2 digest covers the approval, the flags and the answers): its
-- red flags, answers, supervisors' flags and review decisions are written only before publication. The period row is
-- read FOR SHARE, so a write racing the publication waits for it and then sees it published.
CREATE FUNCTION check_review_period_unpublished() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
  st text;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  SELECT status INTO st FROM periods
   WHERE village_id = r.village_id AND year = r.year AND month = r.month AND revision = r.revision
     FOR SHARE;
  IF st = 'published' THEN
    RAISE EXCEPTION '% on %: period %-% revision % of village % is published and its review is sealed',
      TG_OP, TG_TABLE_NAME, r.year, r.month, r.revision, r.village_id
      USING ERRCODE = 'MBI01';
  END IF;
  RETURN r;
END $$;
--> statement-breakpoint
CREATE TRIGGER flag_answers_unpublished BEFORE INSERT OR UPDATE OR DELETE ON flag_answers
  FOR EACH ROW EXECUTE FUNCTION check_review_period_unpublished();
--> statement-breakpoint
CREATE TRIGGER voucher_flags_unpublished BEFORE INSERT OR UPDATE OR DELETE ON voucher_flags
  FOR EACH ROW EXECUTE FUNCTION check_review_period_unpublished();
--> statement-breakpoint
CREATE TRIGGER red_flags_unpublished BEFORE INSERT ON red_flags
  FOR EACH ROW EXECUTE FUNCTION check_review_period_unpublished();
--> statement-breakpoint
CREATE TRIGGER period_reviews_unpublished BEFORE INSERT ON period_reviews
  FOR EACH ROW EXECUTE FUNCTION check_review_period_unpublished();
--> statement-breakpoint
-- Frozen flags and review decisions are history: written once, never changed.
CREATE TRIGGER red_flags_never_changed BEFORE UPDATE OR DELETE ON red_flags
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER period_reviews_never_changed BEFORE UPDATE OR DELETE ON period_reviews
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
