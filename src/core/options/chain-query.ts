/** Parses the options routes' query parameters (underlying, expiration, contract type, strike range); every failure names its field. Pure. */
import { ValidationError } from '../../errors'
import { normaliseTicker } from '../validate'
import type { ContractType } from './option-ticker'

export interface StrikeRange {
  /** Inclusive bounds; null = open. */
  gte: number | null
  lte: number | null
}

export interface ChainFilter extends StrikeRange {
  /** null = both calls and puts. */
  contractType: ContractType | null
}

export interface RawChainParams {
  underlying?: string
  expiration?: string
  contract_type?: string
  strike_gte?: string
  strike_lte?: string
}

export function parseUnderlying(raw: unknown): string {
  return normaliseTicker(raw, 'INVALID_UNDERLYING')
}

/** A real calendar date as YYYY-MM-DD, else 400 INVALID_EXPIRATION. */
export function parseExpiration(raw: unknown): string {
  const text = typeof raw === 'string' ? raw.trim() : ''
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text)
    throw new ValidationError('INVALID_EXPIRATION', 'expiration must be a calendar date as YYYY-MM-DD', {
      expiration: typeof raw === 'string' ? raw.slice(0, 40) : null,
    })
  return text
}

/** call | put (any case), absent = both; else 400 INVALID_CONTRACT_TYPE. */
export function parseContractType(raw: string | undefined): ContractType | null {
  if (raw === undefined || raw.trim() === '') return null
  const v = raw.trim().toLowerCase()
  if (v === 'call' || v === 'put') return v
  throw new ValidationError('INVALID_CONTRACT_TYPE', 'contract_type must be call or put', {
    contract_type: raw.slice(0, 20),
  })
}

/** strike_gte / strike_lte: positive decimals with gte ≤ lte, each optional; else 400 INVALID_STRIKE_RANGE. */
export function parseStrikeRange(rawGte: string | undefined, rawLte: string | undefined): StrikeRange {
  const one = (raw: string | undefined, field: string): number | null => {
    if (raw === undefined || raw.trim() === '') return null
    const n = /^\d{1,6}(\.\d{1,3})?$/.test(raw.trim()) ? Number(raw.trim()) : NaN
    if (!(n > 0))
      throw new ValidationError('INVALID_STRIKE_RANGE', `${field} must be a positive price with at most 3 decimals`, {
        [field]: raw.slice(0, 20),
      })
    return n
  }
  const gte = one(rawGte, 'strike_gte')
  const lte = one(rawLte, 'strike_lte')
  if (gte !== null && lte !== null && gte > lte)
    throw new ValidationError('INVALID_STRIKE_RANGE', 'strike_gte must not exceed strike_lte', {
      strike_gte: gte,
      strike_lte: lte,
    })
  return { gte, lte }
}

/** All chain parameters; the order of checks is the order of the fields. */
export function parseChainQuery(q: RawChainParams): { underlying: string; expiration: string; filter: ChainFilter } {
  const underlying = parseUnderlying(q.underlying)
  const expiration = parseExpiration(q.expiration)
  const contractType = parseContractType(q.contract_type)
  return { underlying, expiration, filter: { contractType, ...parseStrikeRange(q.strike_gte, q.strike_lte) } }
}

/** True when a contract of this type and strike passes the filter. */
export function matchesFilter(filter: ChainFilter, type: ContractType, strike: number): boolean {
  return (
    (filter.contractType === null || filter.contractType === type) &&
    (filter.gte === null || strike >= filter.gte) &&
    (filter.lte === null || strike <= filter.lte)
  )
}
