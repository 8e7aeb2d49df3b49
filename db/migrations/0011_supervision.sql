CREATE TABLE "flag_answers" (
	"village_id" integer NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"flag_key" text NOT NULL,
	"body" text NOT NULL,
	"author" text NOT NULL,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flag_answers_pkey" PRIMARY KEY("village_id","year","month","revision","flag_key"),
	CONSTRAINT "flag_answers_body_present" CHECK (length(btrim("flag_answers"."body")) between 1 and 2000),
	CONSTRAINT "flag_answers_key_format" CHECK ("flag_answers"."flag_key" ~ '^([A-Z][A-Z_]{2,39}:([0-9]+|month)|supervisor:[0-9]+)$')
);
--> statement-breakpoint
CREATE TABLE "period_reviews" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "period_reviews_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"decision" text NOT NULL,
	"note" text NOT NULL,
	"reviewer" text NOT NULL,
	"content_mark" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "period_reviews_pkey" PRIMARY KEY("village_id","id"),
	CONSTRAINT "period_reviews_decision_valid" CHECK ("period_reviews"."decision" in ('approved', 'returned')),
	CONSTRAINT "period_reviews_note_length" CHECK (length("period_reviews"."note") <= 2000),
	CONSTRAINT "period_reviews_returned_has_reason" CHECK ("period_reviews"."decision" = 'approved' or length(btrim("period_reviews"."note")) > 0)
);
--> statement-breakpoint
CREATE TABLE "red_flag_rule_sets" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "red_flag_rule_sets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"region_id" integer NOT NULL,
	"version" integer NOT NULL,
	"effective_from" date NOT NULL,
	"thresholds" jsonb NOT NULL,
	"note" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "red_flag_rule_sets_version_positive" CHECK ("red_flag_rule_sets"."version" >= 1),
	CONSTRAINT "red_flag_rule_sets_note_present" CHECK (length(btrim("red_flag_rule_sets"."note")) between 1 and 2000)
);
--> statement-breakpoint
CREATE TABLE "red_flags" (
	"village_id" integer NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"seq" smallint NOT NULL,
	"rule_code" text NOT NULL,
	"voucher_number" integer,
	"amount_fen" bigint,
	"detail" text NOT NULL,
	CONSTRAINT "red_flags_pkey" PRIMARY KEY("village_id","year","month","revision","seq"),
	CONSTRAINT "red_flags_rule_code_format" CHECK ("red_flags"."rule_code" ~ '^[A-Z][A-Z_]{2,39}$'),
	CONSTRAINT "red_flags_amount_positive" CHECK ("red_flags"."amount_fen" is null or "red_flags"."amount_fen" > 0)
);
--> statement-breakpoint
ALTER TABLE "periods" ADD COLUMN "approved_by" text;--> statement-breakpoint
ALTER TABLE "periods" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "periods" ADD COLUMN "approval_note" text;--> statement-breakpoint
ALTER TABLE "periods" ADD COLUMN "red_flag_rules" text;--> statement-breakpoint
ALTER TABLE "periods" ADD COLUMN "red_flag_rule_set_id" integer;--> statement-breakpoint
ALTER TABLE "flag_answers" ADD CONSTRAINT "flag_answers_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "period_reviews" ADD CONSTRAINT "period_reviews_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "red_flag_rule_sets" ADD CONSTRAINT "red_flag_rule_sets_region_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "red_flags" ADD CONSTRAINT "red_flags_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "red_flag_rule_sets_version_key" ON "red_flag_rule_sets" USING btree ("region_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "red_flag_rule_sets_effective_key" ON "red_flag_rule_sets" USING btree ("region_id","effective_from");--> statement-breakpoint
ALTER TABLE "periods" ADD CONSTRAINT "periods_approval_complete" CHECK (("periods"."approved_by" is null) = ("periods"."approved_at" is null));