CREATE TABLE "questions" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "questions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"year" smallint,
	"month" smallint,
	"voucher_number" integer,
	"number_year" smallint NOT NULL,
	"seq" integer NOT NULL,
	"body" text NOT NULL,
	"body_public" text NOT NULL,
	"body_hash" text NOT NULL,
	"contact" text,
	"asker_key" text NOT NULL,
	"asked_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"answer_body" text,
	"answer_public" text,
	"answered_at" timestamp with time zone,
	"answered_by" text,
	"answered_by_role" text,
	"answer_revision" smallint,
	"answer_voucher_number" integer,
	"hidden_at" timestamp with time zone,
	"hidden_by" text,
	"hidden_reason" text,
	CONSTRAINT "questions_pkey" PRIMARY KEY("village_id","id"),
	CONSTRAINT "questions_body_length" CHECK (char_length("questions"."body") between 1 and 500 and char_length(btrim("questions"."body")) > 0),
	CONSTRAINT "questions_body_public_present" CHECK (char_length("questions"."body_public") between 1 and 1000),
	CONSTRAINT "questions_body_hash_format" CHECK ("questions"."body_hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "questions_contact_length" CHECK ("questions"."contact" is null or char_length("questions"."contact") between 1 and 50),
	CONSTRAINT "questions_asker_key_format" CHECK ("questions"."asker_key" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "questions_about_valid" CHECK (("questions"."year" is null) = ("questions"."month" is null) and ("questions"."month" is null or "questions"."month" between 1 and 12)
          and ("questions"."voucher_number" is null or ("questions"."month" is not null and "questions"."voucher_number" > 0))),
	CONSTRAINT "questions_seq_positive" CHECK ("questions"."seq" >= 1),
	CONSTRAINT "questions_due_after_asked" CHECK ("questions"."due_at" > "questions"."asked_at"),
	CONSTRAINT "questions_answer_complete" CHECK (num_nulls("questions"."answer_body", "questions"."answer_public", "questions"."answered_at", "questions"."answered_by", "questions"."answered_by_role") in (0, 5)),
	CONSTRAINT "questions_answer_length" CHECK ("questions"."answer_body" is null or char_length(btrim("questions"."answer_body")) between 1 and 2000),
	CONSTRAINT "questions_answer_links_need_answer" CHECK (("questions"."answer_revision" is null and "questions"."answer_voucher_number" is null) or "questions"."answered_at" is not null),
	CONSTRAINT "questions_hidden_complete" CHECK (num_nulls("questions"."hidden_at", "questions"."hidden_by", "questions"."hidden_reason") in (0, 3)),
	CONSTRAINT "questions_hidden_reason_length" CHECK ("questions"."hidden_reason" is null or char_length(btrim("questions"."hidden_reason")) between 1 and 200)
);
--> statement-breakpoint
ALTER TABLE "regions" ADD COLUMN "question_due_days" smallint;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_village_fk" FOREIGN KEY ("village_id") REFERENCES "public"."villages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "questions_number_key" ON "questions" USING btree ("village_id","number_year","seq");--> statement-breakpoint
CREATE INDEX "questions_asked_idx" ON "questions" USING btree ("village_id","asked_at");--> statement-breakpoint
CREATE INDEX "questions_month_idx" ON "questions" USING btree ("village_id","year","month");--> statement-breakpoint
CREATE INDEX "questions_body_hash_idx" ON "questions" USING btree ("village_id","body_hash","asked_at");--> statement-breakpoint
CREATE INDEX "questions_asker_idx" ON "questions" USING btree ("asker_key","asked_at");--> statement-breakpoint
CREATE INDEX "questions_unanswered_due_idx" ON "questions" USING btree ("village_id","due_at") WHERE "questions"."answered_at" is null;--> statement-breakpoint
ALTER TABLE "regions" ADD CONSTRAINT "regions_question_due_days_range" CHECK ("regions"."question_due_days" is null or "regions"."question_due_days" between 1 and 60);--> statement-breakpoint
-- A question is history once asked: never deleted, its text and clock never changed. The only writes after the ask
-- are the answer (once: every answer_* column from null to set) and the hiding (once: hidden_* from null to set).
CREATE FUNCTION check_question_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'DELETE on questions: question %-% of village % is never deleted (hide it instead)',
      OLD.number_year, OLD.seq, OLD.village_id USING ERRCODE = 'MBI01';
  END IF;
  IF (NEW.village_id, NEW.id, NEW.year, NEW.month, NEW.voucher_number, NEW.number_year, NEW.seq, NEW.body,
      NEW.body_public, NEW.body_hash, NEW.contact, NEW.asker_key, NEW.asked_at, NEW.due_at)
     IS DISTINCT FROM
     (OLD.village_id, OLD.id, OLD.year, OLD.month, OLD.voucher_number, OLD.number_year, OLD.seq, OLD.body,
      OLD.body_public, OLD.body_hash, OLD.contact, OLD.asker_key, OLD.asked_at, OLD.due_at) THEN
    RAISE EXCEPTION 'UPDATE on questions: what was asked and when it is due never change (question %-% of village %)',
      OLD.number_year, OLD.seq, OLD.village_id USING ERRCODE = 'MBI01';
  END IF;
  IF OLD.answered_at IS NOT NULL AND
     (NEW.answer_body, NEW.answer_public, NEW.answered_at, NEW.answered_by, NEW.answered_by_role, NEW.answer_revision,
      NEW.answer_voucher_number)
     IS DISTINCT FROM
     (OLD.answer_body, OLD.answer_public, OLD.answered_at, OLD.answered_by, OLD.answered_by_role, OLD.answer_revision,
      OLD.answer_voucher_number) THEN
    RAISE EXCEPTION 'UPDATE on questions: question %-% of village % is answered, and an answer is never changed',
      OLD.number_year, OLD.seq, OLD.village_id USING ERRCODE = 'MBI01';
  END IF;
  IF OLD.hidden_at IS NOT NULL AND
     (NEW.hidden_at, NEW.hidden_by, NEW.hidden_reason) IS DISTINCT FROM (OLD.hidden_at, OLD.hidden_by, OLD.hidden_reason) THEN
    RAISE EXCEPTION 'UPDATE on questions: question %-% of village % is hidden, and the hiding is never changed',
      OLD.number_year, OLD.seq, OLD.village_id USING ERRCODE = 'MBI01';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER questions_history BEFORE UPDATE OR DELETE ON questions
  FOR EACH ROW EXECUTE FUNCTION check_question_change();
--> statement-breakpoint
CREATE TRIGGER questions_no_truncate BEFORE TRUNCATE ON questions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
