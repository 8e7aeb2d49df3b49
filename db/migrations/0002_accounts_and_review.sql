CREATE TABLE "period_comments" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "period_comments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "period_comments_pkey" PRIMARY KEY("village_id","id"),
	CONSTRAINT "period_comments_body_present" CHECK (length(btrim("period_comments"."body")) between 1 and 2000)
);
--> statement-breakpoint
CREATE TABLE "voucher_flags" (
	"village_id" integer NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "voucher_flags_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"voucher_number" integer NOT NULL,
	"author" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "voucher_flags_pkey" PRIMARY KEY("village_id","id"),
	CONSTRAINT "voucher_flags_reason_present" CHECK (length(btrim("voucher_flags"."reason")) between 1 and 2000)
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"kind" text NOT NULL,
	"token_hash" text NOT NULL,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "sessions_kind_valid" CHECK ("sessions"."kind" in ('session', 'api_token'))
);
--> statement-breakpoint
CREATE TABLE "user_roles" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "user_roles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"role" text NOT NULL,
	"village_id" integer,
	"region_id" integer,
	CONSTRAINT "user_roles_role_valid" CHECK ("user_roles"."role" in ('accountant', 'director', 'supervisor', 'township_admin')),
	CONSTRAINT "user_roles_scope" CHECK (case when "user_roles"."role" = 'township_admin' then "user_roles"."region_id" is not null and "user_roles"."village_id" is null
               else "user_roles"."village_id" is not null and "user_roles"."region_id" is null end)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone,
	CONSTRAINT "users_username_format" CHECK ("users"."username" ~ '^[a-z0-9][a-z0-9._-]{1,39}$')
);
--> statement-breakpoint
ALTER TABLE "periods" DROP CONSTRAINT "periods_status_valid";--> statement-breakpoint
ALTER TABLE "periods" ADD COLUMN "submitted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "periods" ADD COLUMN "submitted_by" text;--> statement-breakpoint
ALTER TABLE "period_comments" ADD CONSTRAINT "period_comments_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_flags" ADD CONSTRAINT "voucher_flags_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_village_fk" FOREIGN KEY ("village_id") REFERENCES "public"."villages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_region_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_roles_assignment_key" ON "user_roles" USING btree ("user_id","role","village_id","region_id");--> statement-breakpoint
CREATE INDEX "user_roles_village_idx" ON "user_roles" USING btree ("village_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_key" ON "users" USING btree ("username");--> statement-breakpoint
ALTER TABLE "periods" ADD CONSTRAINT "periods_status_valid" CHECK ("periods"."status" in ('open', 'submitted', 'published'));