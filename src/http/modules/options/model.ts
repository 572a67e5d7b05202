/** API shapes of the options routes. */
import { t } from 'elysia'
import { AcceptedInput } from '../../accepted-input'
import { parsedBy } from '../../model'

const num = (description?: string) => t.Union([t.Number(), t.Null()], description ? { description } : {})
const source = t.Union([t.Literal('simulated'), t.Literal('massive')], { description: 'the upstream that answered' })
const updatedAt = t.String({ format: 'date-time', description: 'newest data time in the answer (UTC)' })
/** Present only on an answer served from the last one kept because the upstream is unavailable (rate budget, outage). */
const stale = t.Optional(
  t.Literal(true, { description: 'present only when the upstream could not be asked: this is the last answer kept' }),
)
const asOf = t.Optional(
  t.String({ format: 'date-time', description: 'with stale: when the upstream was asked for this answer (UTC)' }),
)

export namespace OptionsModel {
  export const expirationsQuery = t.Object({
    underlying: t.Optional(
      parsedBy(t.String({ description: 'underlying stock ticker', examples: ['AAPL'] }), AcceptedInput.ticker, {
        required: true,
      }),
    ),
  })
  export const expirations = t.Object({
    underlying: t.String(),
    expirations: t.Array(
      t.Object({
        date: t.String({ format: 'date', description: 'YYYY-MM-DD; trading stops 16:00 New York' }),
        days_to_expiry: t.Number({ description: 'calendar days from today (New York), 0 on the day' }),
        kind: t.Union([t.Literal('weekly'), t.Literal('monthly'), t.Literal('leaps'), t.Literal('other')], {
          description: 'monthly = third Friday; leaps = a January beyond the six-month window; weekly = another Friday',
        }),
      }),
      { description: 'ascending, from today on' },
    ),
    source,
    updated_at: t.String({ format: 'date-time', description: 'when the upstream was asked (UTC)' }),
    stale,
    as_of: asOf,
  })

  export const chainQuery = t.Object({
    underlying: t.Optional(parsedBy(t.String({ examples: ['AAPL'] }), AcceptedInput.ticker, { required: true })),
    expiration: t.Optional(
      parsedBy(t.String({ description: 'YYYY-MM-DD, one of the listed expirations' }), AcceptedInput.expiration, {
        required: true,
      }),
    ),
    contract_type: t.Optional(
      parsedBy(t.String({ description: 'call | put (any case); both when absent' }), AcceptedInput.contractType),
    ),
    strike_gte: t.Optional(
      parsedBy(t.String({ description: 'lowest strike, inclusive; at most strike_lte' }), AcceptedInput.strike),
    ),
    strike_lte: t.Optional(parsedBy(t.String({ description: 'highest strike, inclusive' }), AcceptedInput.strike)),
  })
  export const chainSide = t.Object({
    ticker: t.String({ examples: ['O:AAPL251219C00150000'] }),
    bid: num(),
    ask: num(),
    mid: num(),
    last: num('last trade price'),
    change: num('session change of the last price'),
    change_pct: num('percent'),
    volume: num('contracts traded this session'),
    open_interest: num(),
    iv: num('implied volatility, 0.35 = 35 %'),
    delta: num(),
    gamma: num(),
    theta: num('price change per calendar day'),
    vega: num('price change per 1 point of volatility'),
    break_even: num('strike ± premium (mid)'),
  })
  export const chain = t.Object({
    underlying: t.String(),
    expiration: t.String({ format: 'date' }),
    underlying_price: num('null when the upstream plan does not include it'),
    updated_at: updatedAt,
    source,
    stale,
    as_of: asOf,
    strikes: t.Array(
      t.Object({
        strike: t.Number(),
        call: t.Union([chainSide, t.Null()]),
        put: t.Union([chainSide, t.Null()]),
      }),
      { description: 'ascending by strike' },
    ),
  })

  export const contractParams = t.Object({
    // Null when the path segment is not valid percent-encoding: the service answers INVALID_OPTION_TICKER.
    option_ticker: parsedBy(
      t.Nullable(
        t.String({
          description: 'O: + root + YYMMDD + C|P + strike × 1000 in 8 digits',
          examples: ['O:AAPL251219C00150000'],
        }),
      ),
      AcceptedInput.optionTicker,
    ),
  })
  export const contract = t.Object({
    ticker: t.String(),
    details: t.Object({
      underlying: t.String(),
      type: t.Union([t.Literal('call'), t.Literal('put')]),
      style: t.String({ description: 'american | european | bermudan' }),
      expiration: t.String({ format: 'date' }),
      days_to_expiry: t.Number(),
      strike: t.Number(),
      shares_per_contract: t.Number(),
    }),
    snapshot: t.Object({
      quote: t.Union([
        t.Object({
          bid: t.Number(),
          ask: t.Number(),
          mid: t.Number(),
          bid_size: t.Number(),
          ask_size: t.Number(),
          updated_at: t.String(),
        }),
        t.Null(),
      ]),
      last_trade: t.Union([t.Object({ price: t.Number(), size: t.Number(), at: t.String() }), t.Null()]),
      day: t.Union([
        t.Object({
          open: t.Number(),
          high: t.Number(),
          low: t.Number(),
          close: t.Number(),
          volume: t.Number(),
          vwap: t.Number(),
          prev_close: t.Number(),
          change: t.Number(),
          change_pct: t.Number(),
          updated_at: t.String(),
        }),
        t.Null(),
      ]),
      greeks: t.Union([
        t.Object({ delta: t.Number(), gamma: t.Number(), theta: t.Number(), vega: t.Number() }),
        t.Null(),
      ]),
      iv: num(),
      open_interest: num(),
      break_even: num(),
      underlying_price: num(),
      underlying_updated_at: t.Union([t.String(), t.Null()]),
    }),
    source,
    updated_at: updatedAt,
    stale,
    as_of: asOf,
  })
}
