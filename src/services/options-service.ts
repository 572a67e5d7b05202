/** Options: expirations, chains and contracts from the upstream, validated, cached briefly (bounded), shaped for the API; the last answer served stale while the upstream is unavailable. */
import {
  matchesFilter,
  parseChainQuery,
  parseUnderlying,
  type ChainFilter,
  type RawChainParams,
} from '../core/options/chain-query'
import { dayOfDate, expirationKind } from '../core/options/expirations'
import { parseOptionTicker } from '../core/options/option-ticker'
import { nyDayIndex } from '../core/market-time'
import { NotFoundError, UpstreamUnavailableError } from '../errors'
import type { Clock } from '../ports/clock'
import type { OptionSnapshot, UpstreamOptions } from '../ports/upstream-options'
import type { ChainAnswer, ChainSide, ContractAnswer, ExpirationsAnswer } from '../contract/rest'
import { SharedCalls, type Shared } from './shared-calls'

const noFilter: ChainFilter = { contractType: null, gte: null, lte: null }

export interface OptionsServiceOptions {
  /** Listed expirations of an underlying are reused this long (they change once a day). */
  expirationsTtlMs: number
  /** Chains and single contracts are reused this long. */
  chainTtlMs: number
  /** How long past its TTL an answer may still be served, marked stale, while the upstream is unavailable (503). @default 10 min */
  staleForMs?: number
  /** Chains kept (whole, one per underlying and expiration). @default 200 */
  maxChains?: number
  /** Single contracts and underlyings' expiration lists kept, each. @default 2000 */
  maxContracts?: number
}

/** `stale` and `as_of` on an answer served from the last one kept because the upstream is unavailable. */
type Staleness = { stale?: true; as_of?: string }

const iso = (ms: number) => new Date(ms).toISOString()

export class OptionsService {
  private readonly listings: SharedCalls
  private readonly chains: SharedCalls
  private readonly contracts: SharedCalls

  constructor(
    private readonly upstream: UpstreamOptions,
    /** Whether the market-data provider knows a stock ticker (tells an unknown underlying from one without options). */
    private readonly isKnownTicker: (ticker: string) => Promise<boolean>,
    private readonly clock: Clock,
    private readonly opts: OptionsServiceOptions,
  ) {
    const staleForMs = opts.staleForMs ?? 10 * 60_000
    this.listings = new SharedCalls(clock, { maxEntries: opts.maxContracts ?? 2_000, staleForMs })
    this.chains = new SharedCalls(clock, { maxEntries: opts.maxChains ?? 200, staleForMs })
    this.contracts = new SharedCalls(clock, { maxEntries: opts.maxContracts ?? 2_000, staleForMs })
  }

  async expirations(rawUnderlying: unknown): Promise<ExpirationsAnswer> {
    const underlying = parseUnderlying(rawUnderlying)
    const { dates, at, stale } = await this.listed(underlying)
    const today = nyDayIndex(this.clock.now())
    return {
      ...staleness(stale, at),
      underlying,
      expirations: dates.map((date) => ({
        date,
        days_to_expiry: dayOfDate(date) - today,
        kind: expirationKind(date, today),
      })),
      source: this.upstream.name,
      updated_at: iso(at),
    }
  }

  async chain(q: RawChainParams): Promise<ChainAnswer> {
    const { underlying, expiration, filter } = parseChainQuery(q)
    if (!(await this.listed(underlying)).dates.includes(expiration))
      throw new NotFoundError('EXPIRATION_NOT_FOUND', `${underlying} lists no options expiring ${expiration}`, {
        underlying,
        expiration,
      })
    // One cached chain per listed expiration, filtered here: filters are client input, and a
    // refresh storm over many strike ranges must cost one upstream call, not one per range.
    const { value: whole, at, stale } = await orLast(this.chains, `${underlying}|${expiration}`, this.opts.chainTtlMs, () =>
      this.upstream.chain(underlying, expiration, noFilter),
    )
    const contracts = whole.filter((c) => matchesFilter(filter, c.contract.type, c.contract.strike))
    const byStrike = new Map<number, ChainAnswer['strikes'][number]>()
    for (const c of contracts) {
      const row = byStrike.get(c.contract.strike) ?? { strike: c.contract.strike, call: null, put: null }
      row[c.contract.type] = chainSide(c)
      byStrike.set(c.contract.strike, row)
    }
    return {
      ...staleness(stale, at),
      underlying,
      expiration,
      // From the whole chain: a strike range that leaves no contract still gets the price to place it.
      underlying_price: whole.find((c) => c.underlying !== null)?.underlying?.price ?? null,
      updated_at: iso(newestTime(contracts) ?? at),
      source: this.upstream.name,
      strikes: [...byStrike.values()].sort((a, b) => a.strike - b.strike),
    }
  }

  async contract(rawTicker: unknown): Promise<ContractAnswer> {
    const { ticker } = parseOptionTicker(rawTicker)
    const { value: snap, at, stale } = await orLast(this.contracts, ticker, this.opts.chainTtlMs, () =>
      this.upstream.contract(ticker),
    )
    if (!snap)
      throw new NotFoundError('UNKNOWN_CONTRACT', `no listed option contract ${ticker}`, { option_ticker: ticker })
    const { contract: c, quote, lastTrade, day, greeks, underlying } = snap
    return {
      ...staleness(stale, at),
      ticker: c.ticker,
      details: {
        underlying: c.underlying,
        type: c.type,
        style: c.style,
        expiration: c.expiration,
        days_to_expiry: dayOfDate(c.expiration) - nyDayIndex(this.clock.now()),
        strike: c.strike,
        shares_per_contract: c.sharesPerContract,
      },
      snapshot: {
        quote: quote && {
          bid: quote.bid,
          ask: quote.ask,
          mid: quote.mid,
          bid_size: quote.bidSize,
          ask_size: quote.askSize,
          updated_at: iso(quote.updatedAt),
        },
        last_trade: lastTrade && { price: lastTrade.price, size: lastTrade.size, at: iso(lastTrade.at) },
        day: day && {
          open: day.open,
          high: day.high,
          low: day.low,
          close: day.close,
          volume: day.volume,
          vwap: day.vwap,
          prev_close: day.prevClose,
          change: day.change,
          change_pct: day.changePct,
          updated_at: iso(day.updatedAt),
        },
        greeks,
        iv: snap.iv,
        open_interest: snap.openInterest,
        break_even: snap.breakEven,
        underlying_price: underlying?.price ?? null,
        underlying_updated_at: underlying ? iso(underlying.updatedAt) : null,
      },
      source: this.upstream.name,
      updated_at: iso(newestTime([snap]) ?? at),
    }
  }

  /** Listed expirations from today on (cached); 404 UNKNOWN_UNDERLYING when there are none and the ticker is unknown. */
  private async listed(underlying: string): Promise<{ dates: string[]; at: number; stale: boolean }> {
    const { value, at, stale } = await orLast(this.listings, underlying, this.opts.expirationsTtlMs, () =>
      this.upstream.expirations(underlying),
    )
    const today = nyDayIndex(this.clock.now())
    const dates = value.filter((d) => dayOfDate(d) >= today)
    if (dates.length === 0 && !(await this.isKnownTicker(underlying)))
      throw new NotFoundError('UNKNOWN_UNDERLYING', `ticker ${underlying} is not known to the market data provider`, {
        underlying,
      })
    return { dates, at, stale }
  }
}

/** A fresh or shared answer; when the upstream is unavailable (503: budget, outage), the last one kept, flagged stale. */
async function orLast<T>(
  calls: SharedCalls,
  key: string,
  ttlMs: number,
  call: () => Promise<T>,
): Promise<Shared<T> & { stale: boolean }> {
  try {
    return { ...(await calls.get(key, ttlMs, call)), stale: false }
  } catch (error) {
    const last = error instanceof UpstreamUnavailableError ? calls.last<T>(key) : undefined
    if (last === undefined) throw error
    return { ...last, stale: true }
  }
}

function staleness(stale: boolean, at: number): Staleness {
  return stale ? { stale: true, as_of: iso(at) } : {}
}

function chainSide(s: OptionSnapshot): ChainSide {
  return {
    ticker: s.contract.ticker,
    bid: s.quote?.bid ?? null,
    ask: s.quote?.ask ?? null,
    mid: s.quote?.mid ?? null,
    last: s.lastTrade?.price ?? null,
    change: s.day?.change ?? null,
    change_pct: s.day?.changePct ?? null,
    volume: s.day?.volume ?? null,
    open_interest: s.openInterest,
    iv: s.iv,
    delta: s.greeks?.delta ?? null,
    gamma: s.greeks?.gamma ?? null,
    theta: s.greeks?.theta ?? null,
    vega: s.greeks?.vega ?? null,
    break_even: s.breakEven,
  }
}

/** The newest quote, trade or underlying time among snapshots, or null when none carries one. */
function newestTime(snaps: OptionSnapshot[]): number | null {
  let newest: number | null = null
  for (const s of snaps)
    for (const t of [s.quote?.updatedAt, s.lastTrade?.at, s.underlying?.updatedAt])
      if (t !== undefined && t > 0 && (newest === null || t > newest)) newest = t
  return newest
}
