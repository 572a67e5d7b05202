/** The OpenAPI document's parameter schemas against the parsers they describe: what the schema admits the parser accepts, and (where a pattern can say it) the reverse. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { parseInstant } from '../core/bar-query'
import { parseContractType, parseExpiration, parseStrikeRange } from '../core/options/chain-query'
import { parseOptionTicker } from '../core/options/option-ticker'
import { parseTickerSearch } from '../core/ticker-search'
import { checkPassword, normaliseEmail, normaliseTicker } from '../core/validate'
import { ValidationError } from '../errors'
import { AcceptedInput } from './accepted-input'
import { parseTickerList } from '../services/snapshots-service'

type StringSchema = { pattern?: string; minLength?: number; maxLength?: number }

/**
 * JSON Schema string rules (ECMA-262 pattern, lengths in code points). The pattern must say the same
 * compiled in Unicode mode or not (tools differ; inputs here are of the Basic Multilingual Plane).
 */
function admits(schema: StringSchema, s: string): boolean {
  const length = [...s].length
  if (schema.minLength !== undefined && length < schema.minLength) return false
  if (schema.maxLength !== undefined && length > schema.maxLength) return false
  if (schema.pattern === undefined) return true
  const unicode = new RegExp(schema.pattern, 'u').test(s)
  expect(new RegExp(schema.pattern).test(s)).toBe(unicode)
  return unicode
}

/** True when the parser takes the input; false on its ValidationError; anything else is a bug. */
function accepts(parse: (s: string) => unknown, s: string): boolean {
  try {
    parse(s)
    return true
  } catch (e) {
    if (e instanceof ValidationError) return false
    throw e
  }
}

const text = (chars: string, maxLength = 14) => fc.string({ unit: fc.constantFrom(...chars), maxLength })

/** The schema and the parser agree on every input. */
function agree(schema: StringSchema, parse: (s: string) => unknown, inputs: fc.Arbitrary<string>) {
  fc.assert(
    fc.property(inputs, (s) => admits(schema, s) === accepts(parse, s)),
    { numRuns: 3000 },
  )
}

/** Everything the parser accepts, the schema admits (calendar validity is beyond a pattern). */
function covers(schema: StringSchema, parse: (s: string) => unknown, inputs: fc.Arbitrary<string>) {
  fc.assert(
    fc.property(inputs, (s) => !accepts(parse, s) || admits(schema, s)),
    { numRuns: 3000 },
  )
}

describe('accepted input schemas', () => {
  it('should describe tickers exactly', () => {
    agree(AcceptedInput.ticker, normaliseTicker, text('aAzZ09.-_ \t:éſı'))
    expect(admits(AcceptedInput.ticker, ' brk.b ')).toBe(true)
    expect(admits(AcceptedInput.ticker, 'ABCDEFGHIJK')).toBe(false)
  })

  it('should describe one value of a ticker list exactly', () => {
    agree(AcceptedInput.tickerList.items, (s) => parseTickerList([s], 1000), text('aZ0.-, !ſ', 24))
  })

  it('should describe emails and passwords exactly', () => {
    agree(AcceptedInput.email, normaliseEmail, text('aBpCf{}@. \t\x00\x7fé\u200b\u202e\ufeff', 16))
    expect(admits(AcceptedInput.email, `${'a'.repeat(250)}@b.co`)).toBe(
      accepts(normaliseEmail, `${'a'.repeat(250)}@b.co`),
    )
    agree(AcceptedInput.password, checkPassword, fc.string({ maxLength: 140 }))
  })

  it('should admit every symbol search the parser accepts, and the same short ones', () => {
    const search = (s: string) => parseTickerSearch({ search: s })
    agree(AcceptedInput.search, search, text("aZ09 .&',-_\t:é", 14))
    covers(AcceptedInput.search, search, text("aZ .-\t", 60))
    expect(accepts(search, 'x'.repeat(41))).toBe(false)
    expect(admits(AcceptedInput.search, 'x'.repeat(41))).toBe(false)
  })

  it('should describe contract types and strike bounds exactly', () => {
    agree(AcceptedInput.contractType, parseContractType, text('cCaAlLpPuUtx ', 7))
    agree(AcceptedInput.strike, (s) => parseStrikeRange(s, undefined), text('0019.5 -e', 12))
  })

  it('should admit every instant, expiration and option ticker the parsers accept', () => {
    covers(
      AcceptedInput.instant,
      (s) => parseInstant(s, 'from'),
      fc.oneof(text('0129-:.TtZz+ ', 30), fc.stringMatching(new RegExp(AcceptedInput.instant.pattern))),
    )
    covers(
      AcceptedInput.expiration,
      parseExpiration,
      fc.oneof(text('0129- ', 12), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/)),
    )
    covers(
      AcceptedInput.optionTicker,
      parseOptionTicker,
      fc.oneof(text('Oo:AaZ019CcPpſı ', 24), fc.stringMatching(/^O:[A-Z]{1,6}\d{6}[CP]\d{8}$/)),
    )
    expect(admits(AcceptedInput.optionTicker, 'O:AAPL251219C00150000')).toBe(true)
    expect(admits(AcceptedInput.optionTicker, 'O:AAPL251219C00000000')).toBe(false)
  })
})
