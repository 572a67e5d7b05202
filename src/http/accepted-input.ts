/** What the core parsers accept, as JSON Schemas for the OpenAPI document (test/integration/openapi-accepted-input.test.ts holds each against its parser). */
import { barLimits, barRules, timespans } from '../core/bar-query'
import { tickerSearchBounds } from '../core/ticker-search'
import { passwordBounds } from '../core/validate'
import type { JsonSchema } from './model'

// Parsers trim (String.prototype.trim, the same set as \s) and upper- or lower-case before checking.
const ticker = '[A-Za-z][A-Za-z0-9.-]{0,9}'
const padded = (core: string) => `^\\s*${core}\\s*$`
const anyCase = (word: string) => [...word].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join('')
/**
 * The Unicode format characters (\p{Cf}: zero-width and bidi controls, soft hyphen, BOM…) of the
 * Basic Multilingual Plane as explicit ranges: \p{…} works only in a Unicode-mode regex, which not
 * every OpenAPI tool compiles a pattern as (without it, \p{Cf} refuses the letters p, C and f).
 * The few astral ones (tag characters) the parser alone refuses.
 */
function bmpClass(re: RegExp): string {
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`
  let out = ''
  for (let c = 0; c <= 0xffff; c++) {
    if (!re.test(String.fromCharCode(c))) continue
    let end = c
    while (end < 0xffff && re.test(String.fromCharCode(end + 1))) end++
    out += end === c ? hex(c) : `${hex(c)}-${hex(end)}`
    c = end
  }
  return out
}
const emailPart = `[^\\s@\\x00-\\x1f\\x7f${bmpClass(/\p{Cf}/u)}]+`

export const AcceptedInput = {
  /** normaliseTicker: a letter, then letters, digits, '.' or '-'; 1 to 10 characters; any case. */
  ticker: { type: 'string', pattern: padded(ticker) },
  /** parseTickerList: comma-separated tickers (empty parts skipped), at least one in each value. */
  tickerList: {
    type: 'array',
    minItems: 1,
    items: { type: 'string', pattern: `^(?=[^A-Za-z]*[A-Za-z])\\s*(${ticker})?\\s*(,\\s*(${ticker})?\\s*)*$` },
  },
  /** normaliseEmail (at most 254 characters once trimmed). */
  email: { type: 'string', maxLength: 254, pattern: padded(`${emailPart}@${emailPart}\\.${emailPart}`) },
  /** checkPassword. */
  password: { type: 'string', minLength: passwordBounds.min, maxLength: passwordBounds.max },
  /** parseBarQuery: timespan. */
  timespan: { type: 'string', enum: [...timespans] },
  /** parseBarQuery: multiplier; the bound depends on the timespan (the widest is stated). */
  multiplier: {
    type: 'integer',
    minimum: 1,
    maximum: Math.max(...Object.values(barRules).map((r) => r.maxMultiplier)),
  },
  /** parseBarQuery: session (empty means all). */
  session: { type: 'string', enum: ['', 'all', 'regular'] },
  /** parseBarQuery: limit. */
  limit: { type: 'integer', minimum: 1, maximum: barLimits.maxLimit },
  /** parseInstant: YYYY-MM-DD, an ISO-8601 date-time with a zone, or Unix milliseconds (calendar validity is checked too). */
  instant: {
    type: 'string',
    pattern:
      '^(\\d{4}-\\d{2}-\\d{2}|\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:?\\d{2})|\\d{1,15})$',
  },
  /** parseTickerSearch: search, 1-40 of letters, digits, spaces and . - & ' , once trimmed (runs of spaces count as one). */
  search: {
    type: 'string',
    pattern: `^\\s*[A-Za-z0-9.&',-](\\s*[A-Za-z0-9.&',-]){0,${tickerSearchBounds.maxText - 1}}\\s*$`,
  },
  /** parseTickerSearch: limit. */
  searchLimit: { type: 'integer', minimum: 1, maximum: tickerSearchBounds.maxLimit },
  /** parseExpiration: a calendar date YYYY-MM-DD. */
  expiration: { type: 'string', pattern: padded('\\d{4}-\\d{2}-\\d{2}') },
  /** parseContractType: call or put in any case; empty means both. */
  contractType: { type: 'string', pattern: padded(`(${anyCase('call')}|${anyCase('put')})?`) },
  /** parseStrikeRange, one bound: a positive price, at most 6 digits and 3 decimals; empty means open. */
  strike: { type: 'string', pattern: padded('((?!0{1,6}(\\.0{1,3})?\\s*$)\\d{1,6}(\\.\\d{1,3})?)?') },
  /** parseOptionTicker: O: + root (1-6 letters) + YYMMDD + C|P + strike × 1000 in 8 digits (not 0); any case. */
  optionTicker: { type: 'string', pattern: padded('[Oo]:[A-Za-z]{1,6}\\d{6}[CcPp](?!0{8})\\d{8}') },
} satisfies Record<string, JsonSchema>
