/** The symbol search's query: the text (a ticker or part of a company name) and how many matches to answer. */
import { ValidationError } from '../errors'

export const tickerSearchBounds = { maxText: 40, defaultLimit: 10, maxLimit: 50 }

/** Letters, digits, spaces and the punctuation of company names and share classes (. - & ' ,). */
const searchText = /^[A-Za-z0-9 .&',-]+$/

export interface TickerSearchQuery {
  text: string
  limit: number
}

/** Checks `search` (trimmed, 1-40 characters: INVALID_SEARCH) and `limit` (1-50, default 10: INVALID_LIMIT). */
export function parseTickerSearch(raw: { search?: string; limit?: string }): TickerSearchQuery {
  const text = (raw.search ?? '').trim().replace(/\s+/g, ' ')
  if (!text || text.length > tickerSearchBounds.maxText || !searchText.test(text))
    throw new ValidationError(
      'INVALID_SEARCH',
      `search must be 1-${tickerSearchBounds.maxText} letters, digits, spaces or . - & ' ,`,
      { search: (raw.search ?? '').slice(0, 60) },
    )
  const rawLimit = raw.limit ?? ''
  if (rawLimit === '') return { text, limit: tickerSearchBounds.defaultLimit }
  const limit = Number(rawLimit)
  if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > tickerSearchBounds.maxLimit)
    throw new ValidationError('INVALID_LIMIT', `limit must be an integer from 1 to ${tickerSearchBounds.maxLimit}`, {
      limit: rawLimit.slice(0, 20),
    })
  return { text, limit }
}
