/** UpstreamFeed over the simulated market: emits the market's own trades, their NBBO quotes and closed minute bars as the injected clock passes them. */
import { MINUTE_MS } from '../../core/market-time'
import type { Clock, TimerHandle } from '../../ports/clock'
import type { FeedHandlers, FeedSession, UpstreamFeed } from '../../ports/upstream'
import type { LiveBar, Quote, Trade } from '../../core/market-types'
import { simulatedMarket, type MinuteTape, type SimulatedMarket } from './market'
import { tapeOfMinute, type TapeEvent } from './quote-model'

export interface SimulatedFeedOptions {
  clock: Clock
  /** Emission interval bounds; each tick waits a uniform draw between them. @default [100, 250] */
  tickMs?: [number, number]
  /** @default Math.random */
  random?: () => number
  /** Which simulated market it streams (by the exchange calendar, or around the clock). @default the calendar's */
  market?: SimulatedMarket
  /** NBBO updates before each trade (quote-model.ts, DEFAULT_QUOTES_PER_TRADE is the app's default), for the symbols a session's subscribeQuotes names; 0 = a plan without quotes (no `Q`). @default 0 */
  quotesPerTrade?: number
}

/**
 * Because trades and bars come from the same pure functions as history (market.ts), the live
 * stream and REST agree exactly: every trade with t in [subscribe time, now) is emitted once, in
 * order, and after each minute boundary the closed minute's bar (minuteBars as of the boundary)
 * follows that minute's last trade. Unknown tickers are accepted and stay silent, like the
 * provider. Calls made before the session authenticates are kept (the last one per symbol wins)
 * and take effect once it does, as with MassiveFeed. Tests may call `disconnect()` to drop every
 * open session.
 */
export class SimulatedFeed implements UpstreamFeed {
  readonly name = 'simulated' as const
  private readonly sessions = new Set<SimulatedSession>()
  /** Sessions opened so far. */
  opened = 0

  constructor(private readonly o: SimulatedFeedOptions) {}

  open(handlers: FeedHandlers): FeedSession {
    this.opened++
    const session = new SimulatedSession(this.o, handlers, () => this.sessions.delete(session))
    this.sessions.add(session)
    return session
  }

  /** Drops every open session as a network failure would (close code 1006). */
  disconnect(reason = 'simulated network failure'): void {
    for (const s of [...this.sessions]) s.end(1006, reason)
  }

  /** Symbols subscribed across open sessions. */
  subscribedSymbols(): string[] {
    const out = new Set<string>()
    for (const s of this.sessions) for (const sym of s.symbols()) out.add(sym)
    return [...out].sort()
  }

  /** Symbols whose quotes are subscribed across open sessions (only these have quotes computed and sent). */
  quotedSymbols(): string[] {
    const out = new Set<string>()
    for (const s of this.sessions) for (const sym of s.quoted) out.add(sym)
    return [...out].sort()
  }
}

/** Where a symbol's stream stands: trades emitted up to `at` (exclusive), read from the ticker's tape. */
interface Cursor {
  at: number
  readonly tape: MinuteTape
  /** The current minute's trades and quotes in provider order (quotes on), computed once per minute. */
  events: { minute: number; list: TapeEvent[]; next: number; nextAt: number } | null
}

class SimulatedSession implements FeedSession {
  private readonly cursors = new Map<string, Cursor>()
  private timer: TimerHandle | null = null
  private authenticated = false
  private ended = false
  /** Calls made before authentication, netted per symbol (the last call wins); applied once authenticated. */
  private readonly early = new Map<string, boolean>()
  /** Symbols whose quotes are subscribed (their tape with quotes is computed; others' trades alone). */
  readonly quoted = new Set<string>()

  constructor(
    private readonly o: SimulatedFeedOptions,
    private readonly handlers: FeedHandlers,
    private readonly onEnd: () => void,
  ) {
    // The provider answers the connection and the auth asynchronously.
    this.timer = o.clock.setTimeout(() => {
      this.timer = null
      if (this.ended) return
      handlers.status({ kind: 'connected' })
      this.authenticated = true
      handlers.status({ kind: 'authenticated' })
      const early = [...this.early].filter(([, subscribe]) => subscribe).map(([symbol]) => symbol)
      this.early.clear()
      if (early.length > 0) this.subscribe(early)
      // Quotes asked for before authentication are kept (in `quoted`): acknowledged now, as the provider would.
      if (this.quoted.size > 0 && !this.ended) handlers.status({ kind: 'subscribed', channels: [...this.quoted].map((s) => `Q.${s}`) })
      if (!this.ended) this.schedule()
    }, 0)
  }

  private get quotesPerTrade(): number {
    return this.o.quotesPerTrade ?? 0
  }

  symbols(): string[] {
    return [...this.cursors.keys()]
  }

  subscribe(symbols: string[]): void {
    if (this.ended) return
    if (!this.authenticated) return this.keepUntilAuthenticated(symbols, true)
    const now = this.o.clock.now()
    const market = this.o.market ?? simulatedMarket('calendar')
    for (const s of symbols) {
      if (this.cursors.has(s)) continue
      const tape = market.tape(s)
      if (tape !== null) this.cursors.set(s, { at: now, tape, events: null })
    }
    this.handlers.status({ kind: 'subscribed', channels: symbols.flatMap((s) => [`T.${s}`, `AM.${s}`]) })
  }

  /** Quotes of these symbols from now on (with quotesPerTrade 0, a plan without quotes, ignored). */
  subscribeQuotes(symbols: string[]): void {
    if (this.ended || this.quotesPerTrade === 0) return
    for (const s of symbols) this.quoted.add(s)
    if (this.authenticated) this.handlers.status({ kind: 'subscribed', channels: symbols.map((s) => `Q.${s}`) })
  }

  unsubscribeQuotes(symbols: string[]): void {
    for (const s of symbols) this.quoted.delete(s)
  }

  unsubscribe(symbols: string[]): void {
    if (!this.authenticated) return this.keepUntilAuthenticated(symbols, false)
    for (const s of symbols) this.cursors.delete(s)
  }

  private keepUntilAuthenticated(symbols: string[], subscribe: boolean): void {
    for (const s of symbols) {
      this.early.delete(s)
      this.early.set(s, subscribe)
    }
  }

  close(): void {
    this.end(1000, 'closed by client')
  }

  end(code: number, reason: string): void {
    if (this.ended) return
    this.ended = true
    if (this.timer) this.o.clock.clearTimeout(this.timer)
    this.timer = null
    this.onEnd()
    this.handlers.closed(code, reason)
  }

  private schedule(): void {
    const [min, max] = this.o.tickMs ?? [100, 250]
    const delay = min + Math.floor((this.o.random ?? Math.random)() * (max - min + 1))
    this.timer = this.o.clock.setTimeout(() => this.tick(), delay)
  }

  private tick(): void {
    this.timer = null
    if (this.ended) return
    const now = this.o.clock.now()
    for (const [symbol, cursor] of this.cursors) {
      if (this.ended) return
      this.advance(symbol, cursor, now)
      // A handler may have unsubscribed the symbol meanwhile.
      if (this.cursors.get(symbol) === cursor) cursor.at = now
    }
    if (!this.ended) this.schedule()
  }

  /**
   * Trades in [cursor.at, to), with each minute's closed bar right after that minute's trades.
   * A tick reads on in the minute its tape holds: the minute's trades are computed once, not on
   * every tick (they were: 12.5 % of the service's CPU at 5,000 clients, issue 16).
   */
  private advance(symbol: string, cursor: Cursor, to: number): void {
    let from = cursor.at
    while (from < to) {
      const end = (Math.floor(from / MINUTE_MS) + 1) * MINUTE_MS
      const until = Math.min(to, end)
      if (this.quoted.has(symbol)) this.emitTape(symbol, cursor, from, until)
      else this.emitTrades(cursor.tape.between(from, until))
      if (until === end) {
        const bar = cursor.tape.barOf(end - MINUTE_MS)
        if (bar && !this.ended) this.handlers.bars([toLiveBar(symbol, bar)])
      }
      from = until
      if (this.ended || this.cursors.get(symbol) !== cursor) return
    }
  }

  private emitTrades(trades: Trade[]): void {
    if (trades.length > 0 && !this.ended) this.handlers.trades(trades)
  }

  /** Trades and quotes with from <= t < to (one minute), in provider order: each run of one kind in one call. */
  private emitTape(symbol: string, cursor: Cursor, from: number, to: number): void {
    const minute = Math.floor(from / MINUTE_MS)
    if (cursor.events?.minute !== minute) {
      const start = minute * MINUTE_MS
      const list = tapeOfMinute(symbol, cursor.tape.between(start, start + MINUTE_MS), this.quotesPerTrade)
      cursor.events = { minute, list, next: 0, nextAt: start }
    }
    const events = cursor.events
    let quotes: Quote[] = []
    let trades: Trade[] = []
    // Ticks read on where the last one stopped (a minute holds hundreds of events: no rescan from its start).
    let i = from >= events.nextAt ? events.next : 0
    for (; i < events.list.length; i++) {
      const e = events.list[i]!
      const t = e.kind === 'quote' ? e.quote.t : e.trade.t
      if (t < from) continue
      if (t >= to) break
      if (e.kind === 'quote') {
        if (trades.length > 0) (this.emitTrades(trades), (trades = []))
        quotes.push(e.quote)
      } else {
        if (quotes.length > 0) (this.emitQuotes(quotes), (quotes = []))
        trades.push(e.trade)
      }
    }
    events.next = i
    events.nextAt = to
    this.emitQuotes(quotes)
    this.emitTrades(trades)
  }

  private emitQuotes(quotes: Quote[]): void {
    if (quotes.length > 0 && !this.ended) this.handlers.quotes?.(quotes)
  }
}

function toLiveBar(symbol: string, bar: { t: number; o: number; h: number; l: number; c: number; v: number; vw: number; n: number }): LiveBar {
  return { ...bar, symbol, e: bar.t + MINUTE_MS }
}
