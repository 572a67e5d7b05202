/** API shapes of the watchlist routes. */
import { t } from 'elysia'
import { AcceptedInput } from '../../accepted-input'
import { parsedBy } from '../../model'

export namespace WatchlistModel {
  export const item = t.Object({ ticker: t.String(), added_at: t.String({ format: 'date-time' }) })
  export const list = t.Object({ items: t.Array(item), max: t.Number({ description: 'the per-user cap' }) })
  export const addBody = t.Object({ ticker: parsedBy(t.String({ examples: ['AAPL'] }), AcceptedInput.ticker) })
  // Null when the path segment is not valid percent-encoding: the service answers INVALID_TICKER.
  export const tickerParams = t.Object({
    ticker: parsedBy(t.Nullable(t.String({ examples: ['AAPL'] })), AcceptedInput.ticker),
  })
}
