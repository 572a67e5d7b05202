/** Option contract tickers in the provider's OCC-style form `O:AAPL251219C00150000`: parse with a reason, format back. Pure. */
import { ValidationError } from '../../errors'
import { upperAscii } from '../validate'

export type ContractType = 'call' | 'put'

export interface OptionTickerParts {
  /** OCC root: the underlying's letters (BRK.B → BRKB). */
  root: string
  /** Expiration day, YYYY-MM-DD. */
  expiration: string
  type: ContractType
  /** Strike in USD, at most three decimals. */
  strike: number
}

/** Largest strike the 8-digit field can hold (99 999.999). */
export const maxStrike = 99_999.999
const shapePattern = /^O:([A-Z]{1,6})(\d{6})([CP])(\d{8})$/

/** The reason a ticker is not an option ticker, or null when it is well formed. */
export function optionTickerProblem(raw: string): string | null {
  if (!raw.startsWith('O:')) return 'an option ticker starts with "O:"'
  const body = raw.slice(2)
  const root = /^[A-Z]*/.exec(body)![0]
  if (root.length < 1 || root.length > 6) return 'the root must be 1 to 6 letters'
  const rest = body.slice(root.length)
  const digits = /^\d*/.exec(rest)![0].length
  if (digits !== 6)
    return 'the root must be followed by the expiration as 6 digits YYMMDD (adjusted contracts are not served)'
  if (!/^\d{6}[CP]/.test(rest)) return 'the expiration must be followed by C (call) or P (put)'
  if (!/^\d{6}[CP]\d{8}$/.test(rest)) return 'the strike must be exactly 8 digits (strike × 1000) at the end'
  const m = shapePattern.exec(raw)!
  if (expirationFromYymmdd(m[2]!) === null) return `${m[2]} is not a calendar date (YYMMDD)`
  if (Number(m[4]) === 0) return 'the strike must be greater than 0'
  return null
}

/** Parses `O:AAPL251219C00150000` (case-insensitive, trimmed); throws 400 INVALID_OPTION_TICKER with the reason. */
export function parseOptionTicker(raw: unknown): OptionTickerParts & { ticker: string } {
  const ticker = typeof raw === 'string' ? upperAscii(raw.trim()) : ''
  const problem = optionTickerProblem(ticker)
  if (problem !== null)
    throw new ValidationError('INVALID_OPTION_TICKER', `invalid option ticker: ${problem}`, {
      option_ticker: typeof raw === 'string' ? raw.slice(0, 40) : null,
    })
  const m = shapePattern.exec(ticker)!
  return {
    ticker,
    root: m[1]!,
    expiration: expirationFromYymmdd(m[2]!)!,
    type: m[3] === 'C' ? 'call' : 'put',
    strike: Number(m[4]) / 1000,
  }
}

/** The ticker of a contract; throws RangeError on parts no ticker can carry (a programming error, not user input). */
export function formatOptionTicker(p: {
  underlying: string
  expiration: string
  type: ContractType
  strike: number
}): string {
  const root = occRoot(p.underlying)
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p.expiration)
  const milli = Math.round(p.strike * 1000)
  if (!/^[A-Z]{1,6}$/.test(root) || !d || Number(d[1]) < 2000 || Number(d[1]) > 2099)
    throw new RangeError(`cannot format an option ticker for ${p.underlying} ${p.expiration}`)
  if (!(milli > 0 && milli <= maxStrike * 1000) || Math.abs(milli - p.strike * 1000) > 1e-6)
    throw new RangeError(`strike ${p.strike} does not fit an option ticker`)
  return `O:${root}${d[1]!.slice(2)}${d[2]}${d[3]}${p.type === 'call' ? 'C' : 'P'}${String(milli).padStart(8, '0')}`
}

/** The OCC root of an underlying ticker: its letters only (BRK.B → BRKB). */
export function occRoot(underlying: string): string {
  return underlying.toUpperCase().replace(/[^A-Z]/g, '')
}

/** YYMMDD (years 2000–2099) as YYYY-MM-DD, or null when it is not a calendar date. */
function expirationFromYymmdd(yymmdd: string): string | null {
  const [y, m, d] = [2000 + Number(yymmdd.slice(0, 2)), Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6))]
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null
  return date.toISOString().slice(0, 10)
}
