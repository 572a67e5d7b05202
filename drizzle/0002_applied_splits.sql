CREATE TABLE "applied_splits" (
	"ticker" text NOT NULL,
	"execution_date" text NOT NULL,
	"split_from" double precision NOT NULL,
	"split_to" double precision NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applied_splits_ticker_execution_date_pk" PRIMARY KEY("ticker","execution_date")
);
