CREATE TABLE "accounts" (
	"standard" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"class" text NOT NULL,
	"normal_balance" text NOT NULL,
	CONSTRAINT "accounts_pkey" PRIMARY KEY("standard","code"),
	CONSTRAINT "accounts_code_format" CHECK ("accounts"."code" ~ '^[0-9]{3}$'),
	CONSTRAINT "accounts_standard_valid" CHECK ("accounts"."standard" in ('2004', '2023')),
	CONSTRAINT "accounts_class_valid" CHECK ("accounts"."class" in ('asset', 'liability', 'equity', 'cost', 'income', 'expense')),
	CONSTRAINT "accounts_normal_balance_valid" CHECK ("accounts"."normal_balance" in ('debit', 'credit'))
);
--> statement-breakpoint
CREATE TABLE "village_accounts" (
	"village_id" integer NOT NULL,
	"standard" text NOT NULL,
	"code" text NOT NULL,
	"top_code" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "village_accounts_pkey" PRIMARY KEY("village_id","standard","code"),
	CONSTRAINT "village_accounts_code_format" CHECK ("village_accounts"."code" ~ '^[0-9]{3}([0-9]{2}){0,3}$'),
	CONSTRAINT "village_accounts_top_prefix" CHECK (left("village_accounts"."code", 3) = "village_accounts"."top_code")
);
--> statement-breakpoint
CREATE TABLE "periods" (
	"village_id" integer NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"standard" text NOT NULL,
	"reason" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"opened_by" text NOT NULL,
	"published_at" timestamp with time zone,
	"published_by" text,
	"digest" text,
	"previous_digest" text,
	"chain_seq" integer,
	"voucher_count" integer,
	"line_count" integer,
	CONSTRAINT "periods_pkey" PRIMARY KEY("village_id","year","month","revision"),
	CONSTRAINT "periods_status_valid" CHECK ("periods"."status" in ('open', 'published')),
	CONSTRAINT "periods_month_range" CHECK ("periods"."month" between 1 and 12),
	CONSTRAINT "periods_year_range" CHECK ("periods"."year" between 2000 and 2100),
	CONSTRAINT "periods_revision_positive" CHECK ("periods"."revision" >= 1),
	CONSTRAINT "periods_revision_has_reason" CHECK ("periods"."revision" = 1 or length(btrim("periods"."reason")) > 0),
	CONSTRAINT "periods_published_complete" CHECK (("periods"."status" = 'published') = ("periods"."published_at" is not null and "periods"."published_by" is not null and "periods"."digest" is not null and "periods"."chain_seq" is not null)),
	CONSTRAINT "periods_standard_by_year" CHECK ("periods"."standard" = case when "periods"."year" < 2024 then '2004' else '2023' end)
);
--> statement-breakpoint
CREATE TABLE "voucher_lines" (
	"village_id" integer NOT NULL,
	"voucher_id" bigint NOT NULL,
	"line_no" smallint NOT NULL,
	"standard" text NOT NULL,
	"account_code" text NOT NULL,
	"side" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"summary" text,
	"summary_public" text,
	"counterparty_name" text,
	"counterparty_is_person" boolean DEFAULT false NOT NULL,
	"counterparty_public" text,
	"counterparty_id_number" text,
	"counterparty_phone" text,
	"counterparty_bank_account" text,
	"payment_method" text,
	CONSTRAINT "voucher_lines_pkey" PRIMARY KEY("village_id","voucher_id","line_no"),
	CONSTRAINT "voucher_lines_side_valid" CHECK ("voucher_lines"."side" in ('debit', 'credit')),
	CONSTRAINT "voucher_lines_payment_method_valid" CHECK ("voucher_lines"."payment_method" in ('cash', 'bank', 'transfer')),
	CONSTRAINT "voucher_lines_amount_positive" CHECK ("voucher_lines"."amount_fen" > 0),
	CONSTRAINT "voucher_lines_line_no_positive" CHECK ("voucher_lines"."line_no" > 0),
	CONSTRAINT "voucher_lines_person_has_public_name" CHECK (not "voucher_lines"."counterparty_is_person" or ("voucher_lines"."counterparty_name" is not null and "voucher_lines"."counterparty_public" is not null))
);
--> statement-breakpoint
CREATE TABLE "vouchers" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "vouchers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"number" integer NOT NULL,
	"date" date NOT NULL,
	"summary" text NOT NULL,
	"summary_public" text NOT NULL,
	"attachments" integer DEFAULT 0 NOT NULL,
	"preparer" text,
	"reviewer" text,
	"approver" text,
	"import_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "vouchers_pkey" PRIMARY KEY("village_id","id"),
	CONSTRAINT "vouchers_number_positive" CHECK ("vouchers"."number" > 0),
	CONSTRAINT "vouchers_attachments_nonnegative" CHECK ("vouchers"."attachments" >= 0),
	CONSTRAINT "vouchers_summary_present" CHECK (length(btrim("vouchers"."summary")) > 0),
	CONSTRAINT "vouchers_date_in_period" CHECK (extract(year from "vouchers"."date") = "vouchers"."year" and extract(month from "vouchers"."date") = "vouchers"."month")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_key" text NOT NULL,
	"import_id" bigint,
	"reason" text,
	"details" jsonb,
	"previous_hash" text,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_pkey" PRIMARY KEY("village_id","id")
);
--> statement-breakpoint
CREATE TABLE "imported_files" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "imported_files_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	"size_bytes" integer NOT NULL,
	"filename" text NOT NULL,
	"media_type" text,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "imported_files_pkey" PRIMARY KEY("village_id","id"),
	CONSTRAINT "imported_files_sha256_format" CHECK ("imported_files"."sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "imported_files_size_matches" CHECK ("imported_files"."size_bytes" = octet_length("imported_files"."content"))
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "regions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"parent_id" integer,
	"level" text NOT NULL,
	"code" text NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "regions_code_format" CHECK ("regions"."code" ~ '^[0-9]{12}$'),
	CONSTRAINT "regions_slug_format" CHECK ("regions"."slug" ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	CONSTRAINT "regions_level_valid" CHECK ("regions"."level" in ('city', 'district', 'town')),
	CONSTRAINT "regions_city_is_root" CHECK (("regions"."level" = 'city') = ("regions"."parent_id" is null))
);
--> statement-breakpoint
CREATE TABLE "villages" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "villages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"town_id" integer NOT NULL,
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "villages_code_format" CHECK ("villages"."code" ~ '^[0-9]{12}$'),
	CONSTRAINT "villages_kind_valid" CHECK ("villages"."kind" in ('village', 'community')),
	CONSTRAINT "villages_slug_format" CHECK ("villages"."slug" ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
--> statement-breakpoint
CREATE TABLE "opening_balances" (
	"village_id" integer NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"standard" text NOT NULL,
	"account_code" text NOT NULL,
	"balance_fen" bigint NOT NULL,
	CONSTRAINT "opening_balances_pkey" PRIMARY KEY("village_id","year","month","standard","account_code")
);
--> statement-breakpoint
CREATE TABLE "statement_rollups" (
	"village_id" integer NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"standard" text NOT NULL,
	"account_code" text NOT NULL,
	"opening_fen" bigint NOT NULL,
	"debit_fen" bigint NOT NULL,
	"credit_fen" bigint NOT NULL,
	"closing_fen" bigint NOT NULL,
	"line_count" integer NOT NULL,
	CONSTRAINT "statement_rollups_pkey" PRIMARY KEY("village_id","year","month","revision","standard","account_code"),
	CONSTRAINT "statement_rollups_movements_nonnegative" CHECK ("statement_rollups"."debit_fen" >= 0 and "statement_rollups"."credit_fen" >= 0),
	CONSTRAINT "statement_rollups_closing_identity" CHECK ("statement_rollups"."closing_fen" = "statement_rollups"."opening_fen" + "statement_rollups"."debit_fen" - "statement_rollups"."credit_fen")
);
--> statement-breakpoint
ALTER TABLE "village_accounts" ADD CONSTRAINT "village_accounts_village_fk" FOREIGN KEY ("village_id") REFERENCES "public"."villages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "village_accounts" ADD CONSTRAINT "village_accounts_top_fk" FOREIGN KEY ("standard","top_code") REFERENCES "public"."accounts"("standard","code") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "periods" ADD CONSTRAINT "periods_village_fk" FOREIGN KEY ("village_id") REFERENCES "public"."villages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_lines" ADD CONSTRAINT "voucher_lines_voucher_fk" FOREIGN KEY ("village_id","voucher_id") REFERENCES "public"."vouchers"("village_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_lines" ADD CONSTRAINT "voucher_lines_account_fk" FOREIGN KEY ("village_id","standard","account_code") REFERENCES "public"."village_accounts"("village_id","standard","code") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_village_fk" FOREIGN KEY ("village_id") REFERENCES "public"."villages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imported_files" ADD CONSTRAINT "imported_files_village_fk" FOREIGN KEY ("village_id") REFERENCES "public"."villages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "regions" ADD CONSTRAINT "regions_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."regions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "villages" ADD CONSTRAINT "villages_town_fk" FOREIGN KEY ("town_id") REFERENCES "public"."regions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_balances" ADD CONSTRAINT "opening_balances_account_fk" FOREIGN KEY ("village_id","standard","account_code") REFERENCES "public"."village_accounts"("village_id","standard","code") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_rollups" ADD CONSTRAINT "statement_rollups_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "periods_published_at_idx" ON "periods" USING btree ("published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "periods_chain_seq_key" ON "periods" USING btree ("village_id","chain_seq");--> statement-breakpoint
CREATE INDEX "voucher_lines_persons_idx" ON "voucher_lines" USING btree ("village_id","counterparty_name") WHERE "voucher_lines"."counterparty_is_person";--> statement-breakpoint
CREATE UNIQUE INDEX "vouchers_period_number_key" ON "vouchers" USING btree ("village_id","year","month","revision","number");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("village_id","entity","entity_key");--> statement-breakpoint
CREATE UNIQUE INDEX "imported_files_sha256_key" ON "imported_files" USING btree ("village_id","sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "regions_code_key" ON "regions" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "regions_slug_key" ON "regions" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "regions_parent_idx" ON "regions" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "villages_code_key" ON "villages" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "villages_slug_key" ON "villages" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "villages_town_idx" ON "villages" USING btree ("town_id");