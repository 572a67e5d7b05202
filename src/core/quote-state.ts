/** A symbol's NBBO as the stream keeps it: the latest quote, the quote message waiting for the next flush (latest wins), and the snapshot's bid/ask fields. */
import type { Quote, QuoteLevels } from './market-types'

/** The `quote` message's data: the latest NBBO of a flush window, and how many updates the window held. */
export interface QuoteData {
  bid: number
  ask: number
  /** Sizes in round lots as the provider reports them (Massive: lots of 100 shares). */
  bid_size: number
  ask_size: number
  /** Exchange ids of the best bid and offer (Massive `bx`, `ax`; null when the source has none). */
  bid_exchange: number | null
  ask_exchange: number | null
  /** Quote condition id (Massive `c`), null when none. */
  condition: number | null
  /** SIP time of this quote, Unix ms. */
  t: number
  /** Quote updates in the window this message closes (1 + those it replaced). */
  count: number
}

/** The snapshot's NBBO fields; null until a quote is known. */
export interface SnapshotQuoteFields {
  bid: number | null
  ask: number | null
  bid_size: number | null
  ask_size: number | null
}

export interface QuoteState {
  /** The latest NBBO (a live quote, or the provider snapshot's lastQuote until one arrives). */
  nbbo: QuoteLevels | null
  /** The quote message of the current flush window, or null. */
  pending: QuoteData | null
}

export function createQuoteState(): QuoteState {
  return { nbbo: null, pending: null }
}

/** Applies one quote in provider order: it becomes the NBBO and replaces the window's pending message (updated in place: quotes come many per trade). */
export function applyQuote(s: QuoteState, quote: Quote): void {
  const nbbo = s.nbbo
  if (nbbo === null) s.nbbo = { bid: quote.bid, bidSize: quote.bidSize, ask: quote.ask, askSize: quote.askSize, t: quote.t }
  else {
    nbbo.bid = quote.bid
    nbbo.bidSize = quote.bidSize
    nbbo.ask = quote.ask
    nbbo.askSize = quote.askSize
    nbbo.t = quote.t
  }
  const p = s.pending
  if (p === null) {
    s.pending = {
      bid: quote.bid,
      ask: quote.ask,
      bid_size: quote.bidSize,
      ask_size: quote.askSize,
      bid_exchange: quote.bidExchange,
      ask_exchange: quote.askExchange,
      condition: quote.condition ?? null,
      t: quote.t,
      count: 1,
    }
    return
  }
  p.bid = quote.bid
  p.ask = quote.ask
  p.bid_size = quote.bidSize
  p.ask_size = quote.askSize
  p.bid_exchange = quote.bidExchange
  p.ask_exchange = quote.askExchange
  p.condition = quote.condition ?? null
  p.t = quote.t
  p.count++
}

/** A provider snapshot's last quote, kept only while no newer live quote is known. */
export function seedQuote(s: QuoteState, lastQuote: QuoteLevels | undefined): void {
  if (lastQuote !== undefined && (s.nbbo === null || s.nbbo.t < lastQuote.t)) s.nbbo = { ...lastQuote }
}

/** The pending quote message (and clears it), or null. */
export function takeQuote(s: QuoteState): QuoteData | null {
  const pending = s.pending
  s.pending = null
  return pending
}

/** The snapshot's bid/ask fields from an NBBO (nulls when unknown). */
export function snapshotQuoteFields(nbbo: QuoteLevels | null | undefined): SnapshotQuoteFields {
  if (nbbo === null || nbbo === undefined) return { bid: null, ask: null, bid_size: null, ask_size: null }
  return { bid: nbbo.bid, ask: nbbo.ask, bid_size: nbbo.bidSize, ask_size: nbbo.askSize }
}
