CREATE TABLE "attachments" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "attachments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"voucher_number" integer,
	"kind" text NOT NULL,
	"filename" text NOT NULL,
	"original_sha256" text NOT NULL,
	"original_media_type" text NOT NULL,
	"original_bytes" integer NOT NULL,
	"derivative_sha256" text NOT NULL,
	"derivative_media_type" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"thumbnail_sha256" text NOT NULL,
	"thumbnail_width" integer NOT NULL,
	"thumbnail_height" integer NOT NULL,
	"pages" smallint DEFAULT 1 NOT NULL,
	"redactions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_by" text,
	"redacted_at" timestamp with time zone,
	"confirmed_by" text,
	"confirmed_at" timestamp with time zone,
	CONSTRAINT "attachments_pkey" PRIMARY KEY("village_id","id"),
	CONSTRAINT "attachments_kind_known" CHECK ("attachments"."kind" in ('receipt', 'minutes', 'contract', 'tender', 'other')),
	CONSTRAINT "attachments_hashes_sha256" CHECK ("attachments"."original_sha256" ~ '^[0-9a-f]{64}$' and "attachments"."derivative_sha256" ~ '^[0-9a-f]{64}$' and "attachments"."thumbnail_sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "attachments_derivative_not_original" CHECK ("attachments"."derivative_sha256" <> "attachments"."original_sha256"),
	CONSTRAINT "attachments_sizes_positive" CHECK ("attachments"."width" > 0 and "attachments"."height" > 0 and "attachments"."original_bytes" > 0 and "attachments"."pages" > 0),
	CONSTRAINT "attachments_confirmed_together" CHECK (("attachments"."confirmed_by" is null) = ("attachments"."confirmed_at" is null)),
	CONSTRAINT "attachments_filename_present" CHECK (length("attachments"."filename") between 1 and 255),
	CONSTRAINT "attachments_redactions_array" CHECK (jsonb_typeof("attachments"."redactions") = 'array')
);
--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_revision_idx" ON "attachments" USING btree ("village_id","year","month","revision","voucher_number");--> statement-breakpoint
CREATE INDEX "attachments_derivative_idx" ON "attachments" USING btree ("derivative_sha256");--> statement-breakpoint
CREATE INDEX "attachments_thumbnail_idx" ON "attachments" USING btree ("thumbnail_sha256");--> statement-breakpoint
-- A published revision's attachments are sealed with it (their derivatives' hashes are in the approved content):
-- attached, redacted, confirmed or removed only before publication, by the same check as the review's (0012).
CREATE TRIGGER attachments_unpublished BEFORE INSERT OR UPDATE OR DELETE ON attachments
  FOR EACH ROW EXECUTE FUNCTION check_review_period_unpublished();
--> statement-breakpoint
-- The original's hash is what the committee uploaded: it never changes (a new file is a new attachment).
CREATE FUNCTION check_attachment_original_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.original_sha256 <> OLD.original_sha256 OR NEW.village_id <> OLD.village_id OR NEW.year <> OLD.year
     OR NEW.month <> OLD.month OR NEW.revision <> OLD.revision OR NEW.uploaded_by <> OLD.uploaded_by THEN
    RAISE EXCEPTION 'attachment %: its original, period and uploader never change', OLD.id USING ERRCODE = 'MBI01';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER attachments_original_kept BEFORE UPDATE ON attachments
  FOR EACH ROW EXECUTE FUNCTION check_attachment_original_kept();
