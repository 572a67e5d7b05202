CREATE TABLE "bar_coverage" (
	"id" serial PRIMARY KEY NOT NULL,
	"ticker" text NOT NULL,
	"timespan" text NOT NULL,
	"from_ms" bigint NOT NULL,
	"to_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bars" (
	"ticker" text NOT NULL,
	"timespan" text NOT NULL,
	"t" bigint NOT NULL,
	"o" double precision NOT NULL,
	"h" double precision NOT NULL,
	"l" double precision NOT NULL,
	"c" double precision NOT NULL,
	"v" double precision NOT NULL,
	"vw" double precision NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "bars_ticker_timespan_t_pk" PRIMARY KEY("ticker","timespan","t")
);
--> statement-breakpoint
CREATE TABLE "tickers" (
	"ticker" text PRIMARY KEY NOT NULL,
	"known" boolean NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "watchlist_items" (
	"user_id" integer NOT NULL,
	"ticker" text NOT NULL,
	"position" bigint NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "watchlist_items_user_id_ticker_pk" PRIMARY KEY("user_id","ticker")
);
--> statement-breakpoint
ALTER TABLE "watchlist_items" ADD CONSTRAINT "watchlist_items_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bar_coverage_lookup_idx" ON "bar_coverage" USING btree ("ticker","timespan","from_ms");--> statement-breakpoint
CREATE INDEX "watchlist_items_ticker_idx" ON "watchlist_items" USING btree ("ticker");