ALTER TABLE "user_roles" ADD COLUMN "granted_by" text DEFAULT 'operator' NOT NULL;--> statement-breakpoint
ALTER TABLE "user_roles" ADD COLUMN "granted_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "user_roles" ADD COLUMN "confirmed_by" text;--> statement-breakpoint
ALTER TABLE "user_roles" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
-- Grants made before the two-person rule keep their power: confirmed as a bootstrap, like the demo seed's.
UPDATE "user_roles" SET "confirmed_by" = 'bootstrap', "confirmed_at" = "granted_at";--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_second_person" CHECK ("user_roles"."confirmed_by" is null or "user_roles"."confirmed_by" <> "user_roles"."granted_by");