/** The API answers the options routes should give for model snapshots: an independent restatement of the field mapping, for tests. */
import type { OptionSnapshot } from '../../src/ports/upstream-options'
import { dayOfDate } from '../../src/core/options/expirations'
import { nyDayIndex } from '../../src/core/market-time'

const iso = (ms: number) => new Date(ms).toISOString()

function newest(snaps: OptionSnapshot[]): number {
  return Math.max(
    ...snaps.flatMap((s) => [s.quote?.updatedAt ?? 0, s.lastTrade?.at ?? 0, s.underlying?.updatedAt ?? 0]),
  )
}

export function expectedChain(underlying: string, expiration: string, snaps: OptionSnapshot[], source: string) {
  const rows = new Map<number, any>()
  for (const s of snaps) {
    const row = rows.get(s.contract.strike) ?? { strike: s.contract.strike, call: null, put: null }
    row[s.contract.type] = {
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
    rows.set(s.contract.strike, row)
  }
  return {
    underlying,
    expiration,
    underlying_price: snaps[0]?.underlying?.price ?? null,
    updated_at: iso(newest(snaps)),
    source,
    strikes: [...rows.values()].sort((a, b) => a.strike - b.strike),
  }
}

export function expectedContract(s: OptionSnapshot, now: number, source: string) {
  const c = s.contract
  return {
    ticker: c.ticker,
    details: {
      underlying: c.underlying,
      type: c.type,
      style: c.style,
      expiration: c.expiration,
      days_to_expiry: dayOfDate(c.expiration) - nyDayIndex(now),
      strike: c.strike,
      shares_per_contract: c.sharesPerContract,
    },
    snapshot: {
      quote: s.quote && {
        bid: s.quote.bid,
        ask: s.quote.ask,
        mid: s.quote.mid,
        bid_size: s.quote.bidSize,
        ask_size: s.quote.askSize,
        updated_at: iso(s.quote.updatedAt),
      },
      last_trade: s.lastTrade && { price: s.lastTrade.price, size: s.lastTrade.size, at: iso(s.lastTrade.at) },
      day: s.day && {
        open: s.day.open,
        high: s.day.high,
        low: s.day.low,
        close: s.day.close,
        volume: s.day.volume,
        vwap: s.day.vwap,
        prev_close: s.day.prevClose,
        change: s.day.change,
        change_pct: s.day.changePct,
        updated_at: iso(s.day.updatedAt),
      },
      greeks: s.greeks,
      iv: s.iv,
      open_interest: s.openInterest,
      break_even: s.breakEven,
      underlying_price: s.underlying?.price ?? null,
      underlying_updated_at: s.underlying ? iso(s.underlying.updatedAt) : null,
    },
    source,
    updated_at: iso(newest([s])),
  }
}
