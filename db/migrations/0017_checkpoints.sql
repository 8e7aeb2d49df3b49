CREATE TABLE "checkpoints" (
	"number" integer PRIMARY KEY NOT NULL,
	"timestamp" text NOT NULL,
	"tree_size" integer NOT NULL,
	"root" text NOT NULL,
	"leaves" jsonb NOT NULL,
	"signature" text NOT NULL,
	"key_id" text NOT NULL,
	CONSTRAINT "checkpoints_number_positive" CHECK ("checkpoints"."number" > 0),
	CONSTRAINT "checkpoints_root_hex" CHECK ("checkpoints"."root" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "checkpoints_timestamp_iso" CHECK ("checkpoints"."timestamp" ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$')
);
