-- Stored bars made before the market followed the exchange calendar (simulated trades on weekends,
-- holidays and overnight; day bars closing on post-market trades) are dropped once, with their
-- coverage, so they are fetched again under the new rules. Bars are a cache of the provider's:
-- nothing is lost but one refetch of what users ask for again.
DELETE FROM "bar_coverage";--> statement-breakpoint
DELETE FROM "bars";
