/** API shapes of the market-data routes. */
import { t } from 'elysia'
import { barLimits, barRules } from '../../../core/bar-query'
import { AcceptedInput } from '../../accepted-input'
import { parsedBy } from '../../model'

const ruleText = Object.entries(barRules)
  .map(([ts, r]) => `${ts}: multiplier 1-${r.maxMultiplier}, span ≤ ${r.maxSpanDays} days`)
  .join('; ')

export namespace MarketDataModel {
  export const barsQuery = t.Object({
    ticker: t.Optional(
      parsedBy(t.String({ description: 'required unless cursor is given', examples: ['AAPL'] }), AcceptedInput.ticker),
    ),
    timespan: t.Optional(
      parsedBy(
        t.String({ description: 'minute | hour | day | week | month (required unless cursor is given)' }),
        AcceptedInput.timespan,
      ),
    ),
    multiplier: t.Optional(
      parsedBy(t.String({ description: `bucket size in timespans, default 1. ${ruleText}` }), AcceptedInput.multiplier),
    ),
    from: t.Optional(
      parsedBy(
        t.String({
          description:
            'YYYY-MM-DD (New York day), ISO-8601 date-time with zone, or Unix ms; snapped to its bucket start; required unless cursor is given',
        }),
        AcceptedInput.instant,
      ),
    ),
    to: t.Optional(
      parsedBy(
        t.String({ description: 'same forms, inclusive; a date means the end of that day; default now' }),
        AcceptedInput.instant,
      ),
    ),
    limit: t.Optional(
      parsedBy(
        t.String({ description: `bars per page, 1-${barLimits.maxLimit}, default ${barLimits.defaultLimit}` }),
        AcceptedInput.limit,
      ),
    ),
    cursor: t.Optional(
      t.String({ description: 'next_cursor from the previous page; continues exactly where it stopped' }),
    ),
    session: t.Optional(
      parsedBy(
        t.String({
          description:
            'all (default): every bar the market has, pre- and post-market included; regular: minute and hour bars of the regular session only (09:30 to the close, New York; 13:00 on early-close days)',
        }),
        AcceptedInput.session,
      ),
    ),
  })
  export const bar = t.Object({
    t: t.Number({ description: 'bucket start, Unix ms' }),
    o: t.Number(),
    h: t.Number(),
    l: t.Number(),
    c: t.Number(),
    v: t.Number(),
    vw: t.Number({ description: 'volume-weighted average price' }),
    n: t.Number({ description: 'trades' }),
    final: t.Boolean({
      description:
        'false while the bar may still change: the forming bucket, and buckets ending less than the correction window (15 min for minute bars; the day after, for day bars and longer) ago',
    }),
  })
  export const barsPage = t.Object({
    ticker: t.String(),
    timespan: t.String(),
    multiplier: t.Number(),
    results: t.Array(bar, { description: 'ascending by t' }),
    next_cursor: t.Union([t.String(), t.Null()]),
  })
  export const snapshotsQuery = t.Object({
    tickers: t.Optional(
      parsedBy(
        t.Union([t.String(), t.Array(t.String())], {
          description: 'AAPL,NVDA or repeated tickers=',
          examples: [['AAPL,NVDA']],
        }),
        AcceptedInput.tickerList,
        { required: true },
      ),
    ),
  })
  export const snapshot = t.Object({
    ticker: t.String(),
    last: t.Number(),
    change: t.Number(),
    change_pct: t.Number(),
    prev_close: t.Number(),
    bid: t.Nullable(t.Number({ description: 'best bid (NBBO); null when the plan has no quotes or none is known yet' })),
    ask: t.Nullable(t.Number({ description: 'best offer (NBBO); null when unknown' })),
    bid_size: t.Nullable(t.Number({ description: 'size at the best bid in round lots as the provider reports them (Massive: lots of 100 shares); null when unknown' })),
    ask_size: t.Nullable(t.Number({ description: 'size at the best offer in round lots; null when unknown' })),
    updated_at: t.String({ format: 'date-time' }),
    source: t.Union([t.Literal('WS'), t.Literal('REST')]),
    session: t.Union([t.Literal('pre'), t.Literal('open'), t.Literal('post'), t.Literal('closed')], {
      description:
        'the market session when the answer was formed (pre-market, regular, after-hours, closed); change and change_pct are against the previous regular-session close',
    }),
    day: t.Optional(
      t.Object(
        {
          open: t.Number(),
          high: t.Number(),
          low: t.Number(),
          volume: t.Number(),
          vwap: t.Union([t.Number(), t.Null()], { description: "the day's volume-weighted average price; null when the provider gives none" }),
        },
        {
          description:
            "today's regular-session open, high and low, the whole day's volume and VWAP, by the sale-condition rules: from the provider's snapshot (source REST) or from the stream once it knows the whole day (source WS)",
        },
      ),
    ),
  })
  export const snapshots = t.Object({
    results: t.Array(snapshot),
    errors: t.Array(t.Object({ ticker: t.String(), code: t.String(), message: t.String() }), {
      description: 'per-ticker failures',
    }),
  })
  export const status = t.Object({
    upstream: t.Object({
      name: t.String(),
      health: t.String({ description: 'ok | degraded | down' }),
      reason: t.Optional(t.Object({ code: t.String(), message: t.String() })),
      budget: t.Object({
        limit_per_minute: t.Union([t.Number(), t.Null()]),
        remaining: t.Union([t.Number(), t.Null()]),
        resets_at: t.Union([t.String(), t.Null()]),
      }),
      requests: t.Number(),
    }),
    components: t.Record(t.String(), t.Unknown(), { description: 'stream, bus and other parts, when running' }),
  })
  const instant = (description: string) => t.String({ format: 'date-time', description })
  export const marketStatus = t.Object({
    market: t.Union([t.Literal('pre'), t.Literal('open'), t.Literal('post'), t.Literal('closed')], {
      description:
        'pre-market 04:00-09:30, open 09:30-16:00 (13:00 on early-close days), post-market until 20:00 (17:00), else closed (New York)',
    }),
    server_time: instant('the instant this answer describes (UTC)'),
    session_opens_at: t.Union([instant("today's regular open (New York day)"), t.Null()], {
      description: "today's regular open; null when today is not a trading day",
    }),
    session_closes_at: t.Union([instant("today's regular close"), t.Null()], {
      description: "today's regular close (13:00 New York on early-close days); null when today is not a trading day",
    }),
    next_open: instant('the first regular open after server_time'),
    next_close: instant('the first regular close after server_time'),
    early_close: t.Boolean({ description: "today's regular session ends early (13:00 New York)" }),
    holiday: t.Union([t.String(), t.Null()], {
      description: "today's holiday, or the holiday today's early close belongs to; null otherwise",
    }),
    upcoming: t.Array(
      t.Object({
        date: t.String({ format: 'date', description: 'YYYY-MM-DD (New York)' }),
        name: t.String(),
        status: t.Union([t.Literal('closed'), t.Literal('early_close')]),
        open: t.Union([instant('regular open of an early-close day'), t.Null()]),
        close: t.Union([instant('regular close of an early-close day'), t.Null()]),
      }),
      { description: 'the next closed and early-close days, from today on' },
    ),
    simulated_always_open: t.Optional(
      t.Literal(true, {
        description:
          'present when the simulated market trades around the clock (SIMULATED_MARKET_HOURS=always): market is then always open and the other fields are the exchange calendar',
      }),
    ),
  })
}
