/** Input normalisation shared by services: emails, passwords, tickers. Pure; failures are ValidationErrors naming the field. */
import { ValidationError } from '../errors'

// No whitespace, no control characters (a NUL cannot be stored in a PostgreSQL text column) and no
// invisible format characters (zero-width space, bidi overrides, soft hyphen: pasted along with an
// address, they made an account its owner could not type, or one that looks like another's).
const emailPattern = /^[^\s@\x00-\x1f\x7f\p{Cf}]+@[^\s@\x00-\x1f\x7f\p{Cf}]+\.[^\s@\x00-\x1f\x7f\p{Cf}]+$/u
export const passwordBounds = { min: 8, max: 128 }

export function normaliseEmail(raw: unknown): string {
  const email = typeof raw === 'string' ? raw.trim().toLowerCase() : ''
  if (email.length === 0 || email.length > 254 || !emailPattern.test(email))
    throw new ValidationError('INVALID_EMAIL', 'email must be a valid address of at most 254 characters')
  return email
}

export function checkPassword(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length < passwordBounds.min || raw.length > passwordBounds.max)
    throw new ValidationError(
      'INVALID_PASSWORD',
      `password must be ${passwordBounds.min} to ${passwordBounds.max} characters`,
    )
  return raw
}

/** US stock tickers: a letter, then letters, digits, '.' or '-' (BRK.B), at most 10 characters. */
const tickerPattern = /^[A-Z][A-Z0-9.-]{0,9}$/

/** Upper-cases a-z only: toUpperCase() also makes S of 'ſ' and I of 'ı', so 'Mſft' passed for MSFT, past the documented A-Z rule. */
export const upperAscii = (text: string): string => text.replace(/[a-z]+/g, (run) => run.toUpperCase())

export function isTickerSyntax(ticker: string): boolean {
  return tickerPattern.test(ticker)
}

export function normaliseTicker(raw: unknown, code = 'INVALID_TICKER'): string {
  const ticker = typeof raw === 'string' ? upperAscii(raw.trim()) : ''
  if (!tickerPattern.test(ticker))
    throw new ValidationError(code, 'ticker must be 1-10 characters: a letter, then letters, digits, "." or "-"', {
      ticker: typeof raw === 'string' ? raw.slice(0, 32) : raw === undefined ? null : typeof raw,
    })
  return ticker
}
