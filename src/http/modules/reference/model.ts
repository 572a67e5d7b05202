/** API shapes of the reference routes (symbol search). */
import { t } from 'elysia'
import { tickerSearchBounds } from '../../../core/ticker-search'
import { AcceptedInput } from '../../accepted-input'
import { parsedBy } from '../../model'

export namespace ReferenceModel {
  export const tickersQuery = t.Object({
    search: t.Optional(
      parsedBy(
        t.String({ description: 'part of a ticker or company name, any case', examples: ['app', 'spy'] }),
        AcceptedInput.search,
        { required: true },
      ),
    ),
    limit: t.Optional(
      parsedBy(
        t.String({
          description: `matches to answer, 1-${tickerSearchBounds.maxLimit}, default ${tickerSearchBounds.defaultLimit}`,
        }),
        AcceptedInput.searchLimit,
      ),
    ),
  })
  export const ticker = t.Object({
    ticker: t.String({ examples: ['AAPL'] }),
    name: t.String({ examples: ['Apple Inc.'] }),
    type: t.String({ description: "the provider's type code: CS (common stock), ETF, ADRC, PFD, …", examples: ['CS'] }),
    exchange: t.Union([t.String({ description: 'primary listing exchange, ISO 10383 MIC', examples: ['XNAS'] }), t.Null()]),
  })
  export const tickers = t.Object({
    items: t.Array(ticker, { description: 'best match first: the exact ticker, tickers starting with the text, then names' }),
  })
}
