/** The market-watch client shell: REST initial load, one stream, backfill before increments, REST polling when degraded, token refresh; all I/O injected. */
import type { Clock } from '../core/clock'
import { ChartLoader } from './chart-loader'
import type { ChartTimespan } from './chart-series'
import { closeOutage, openOutage, type ClientStatus, type Outage } from './client-status'
import type { MachineOptions, Reason } from './connection-machine'
import { MarketModel, type MarketModelOptions } from './market-model'
import type { RefreshOptions } from './refresh-schedule'
import { ApiError, createRestApi, type FetchLike, type RestApi } from './rest-api'
import { newerStatus } from './market-session'
import { PriceAges, type PriceAge, type PriceAgeOptions } from './price-age'
import { RestSync, type RestSyncOptions } from './rest-sync'
import { ServerClock } from './server-clock'
import { StreamConnection, type SocketFactory } from './stream-connection'
import { StreamSession } from './stream-session'
import { TokenRefresher } from './token-refresher'
import { streamPath, type MarketStatus, type Watchlist } from './wire'

export type { ClientStatus, Outage } from './client-status'

export interface MarketClientDeps {
  /** API origin, e.g. http://127.0.0.1:3000 (the page passes location.origin). */
  baseUrl: string
  fetch: FetchLike
  WebSocket: SocketFactory
  /** The local clock: timers, and the base of the server-time estimate (REST ranges follow the server's clock). */
  clock: Clock
  random: () => number
}

export interface MarketClientOptions
  extends MachineOptions, MarketModelOptions, RestSyncOptions, RefreshOptions, PriceAgeOptions {}

export class MarketClient {
  readonly api: RestApi
  readonly model: MarketModel
  readonly stream: StreamConnection
  readonly refresher: TokenRefresher
  readonly outages: Outage[] = []
  /** The server's clock as seen from here, from every stream `ts` and REST `Date`. */
  readonly serverClock = new ServerClock()
  /** When each watchlist price was last known current (the page dims stale ones). */
  readonly ages: PriceAges
  private token: string | null = null
  private listeners = new Set<() => void>()
  private readonly sync: RestSync
  private readonly session: StreamSession
  private readonly charts: ChartLoader
  private notice: Reason | null = null
  private market: MarketStatus | null = null

  constructor(
    private deps: MarketClientDeps,
    options: Partial<MarketClientOptions> = {},
  ) {
    this.ages = new PriceAges(options.staleAfterMs)
    this.api = createRestApi({
      baseUrl: deps.baseUrl,
      fetch: deps.fetch,
      token: () => this.token,
      now: () => deps.clock.now(),
      serverDate: (date, sentAt, receivedAt) => this.serverClock.httpSample(date, sentAt, receivedAt),
    })
    this.model = new MarketModel(options)
    this.stream = new StreamConnection(
      {
        url: deps.baseUrl.replace(/^http/, 'ws') + streamPath,
        token: () => this.token,
        WebSocket: deps.WebSocket,
        clock: deps.clock,
        random: deps.random,
      },
      {
        serverTime: (ts, receivedAt) => this.serverClock.streamSample(ts, receivedAt),
        message: (m) => this.session.message(m),
        up: () => this.session.up(),
        down: () => this.onDown(),
        changed: (m) => {
          if (m.state === 'signed_out' || m.state === 'stopped') this.refresher.stop()
          this.changed()
        },
      },
      options,
    )
    this.refresher = new TokenRefresher(
      { clock: deps.clock, random: deps.random, serverNow: () => this.serverNow(), refresh: () => this.api.refresh() },
      {
        issued: (token) => this.tokenIssued(token),
        signedOut: (reason) => this.onRestError(new ApiError(reason.code, reason.message, 401)),
      },
      options,
    )
    this.sync = new RestSync(
      {
        model: this.model,
        api: this.api,
        clock: deps.clock,
        serverNow: () => this.serverNow(),
        connection: () => this.stream.machine.state,
        backfillOk: () => this.stream.backfillOk(),
        backfillFailed: (message) => this.stream.backfillFailed(message),
        restError: (e) => this.onRestError(e),
        refreshMarketStatus: () => this.refreshMarketStatus(),
        fetched: (tickers) => this.ages.fetched(tickers, deps.clock.now()),
        polled: (ok) => this.stream.polled(ok),
        changed: () => this.changed(),
      },
      { snapshotPollMs: 3_000, barsPollMs: 20_000, ...options } as MarketClientOptions,
    )
    this.charts = new ChartLoader({
      api: this.api,
      model: this.model,
      serverNow: () => this.serverNow(),
      restError: (e) => this.onRestError(e),
      changed: () => this.changed(),
    })
    this.session = new StreamSession({
      model: this.model,
      stream: this.stream,
      refresher: this.refresher,
      serverNow: () => this.serverNow(),
      sync: this.sync,
      charts: this.charts,
      marketStatus: (status) => (this.market = newerStatus(this.market, status)),
      notice: (reason) => (this.notice = reason),
      changed: () => this.changed(),
    })
  }

  /** The server's time now, as estimated; every REST range and the chart's "known good until" use it. */
  serverNow(): number {
    return this.serverClock.now(this.deps.clock.now())
  }

  /** Use a bearer token (Bun, tests) instead of the session cookie (browser). */
  setToken(token: string | null): void {
    this.token = token
  }

  /** Initial load over REST (watchlist, snapshots, the chart), then one stream. Rejects on a REST failure (the stream still starts unless signed out). */
  async start(chart: { symbol?: string; timespan?: ChartTimespan } = {}): Promise<void> {
    const marketLoad = this.refreshMarketStatus()
    try {
      const wl = await this.api.watchlist()
      this.applyWatchlist(wl)
      await this.sync.refreshSnapshots(this.model.tickers())
      // A remembered symbol no longer in the watchlist gives way to the first one.
      const symbol = chart.symbol && this.model.tickers().includes(chart.symbol) ? chart.symbol : this.model.tickers()[0]
      if (symbol) await this.selectChart(symbol, chart.timespan ?? '1m')
    } catch (e) {
      // Without a session there is nothing to stream; any other failure is left to polling and backfill.
      if (!this.onRestError(e)) this.stream.start()
      throw e
    }
    await marketLoad
    this.stream.start()
  }

  /** Asks GET /market-data/market-status (on load and while polling); a failure keeps what is known. */
  async refreshMarketStatus(): Promise<void> {
    try {
      this.applyMarketStatus(await this.api.marketStatus())
    } catch {}
  }

  private applyMarketStatus(next: MarketStatus): void {
    const kept = newerStatus(this.market, next)
    if (kept === this.market) return
    this.market = kept
    this.changed()
  }

  stop(): void {
    this.stream.stop()
    this.refresher.stop()
    this.sync.stop()
  }

  /** The network is back (browser `online` event): retry the stream now. */
  nudge(): void {
    this.stream.nudge()
  }

  /** The browser went offline (`offline` event): the stream counts as lost now, not when its watchdog runs out. */
  offline(): void {
    this.stream.offline()
  }

  /** The page is visible again (`visibilitychange`, e.g. after sleep): a stream silent past its limit is lost now. */
  woke(): void {
    this.stream.checkSilence()
  }

  /** How old a ticker's price is now: since the live stream's last byte when it carries the ticker, else since its last REST snapshot. */
  priceAge(ticker: string): PriceAge {
    const streamed = this.stream.machine.streamUp && this.model.streaming(ticker) === 'on'
    return this.ages.age(ticker, this.deps.clock.now(), streamed ? this.stream.heardAt : null)
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  async addTicker(ticker: string): Promise<void> {
    const wl = await this.guard(this.api.addToWatchlist(ticker))
    this.applyWatchlist(wl)
    await this.sync.refreshSnapshots([ticker.trim().toUpperCase()]).catch(() => {})
    if (!this.model.chartSymbol() && this.model.tickers().length) await this.selectChart(this.model.tickers()[0], '1m')
  }

  async removeTicker(ticker: string): Promise<void> {
    this.applyWatchlist(await this.guard(this.api.removeFromWatchlist(ticker)))
  }

  /** Shows a ticker at a timespan: REST load (stream messages held meanwhile), then held messages on top. */
  selectChart(symbol: string, timespan: ChartTimespan): Promise<void> {
    return this.charts.select(symbol, timespan)
  }

  /** Loads the page of history before the chart's earliest bar (scrolling left); a no-op while one is in flight or after the data ended. */
  loadOlder(): Promise<void> {
    return this.charts.loadOlder()
  }

  status(): ClientStatus {
    const m = this.stream.machine
    const view = this.model.chartView()
    const chartPhase = view?.phase ?? null
    const state = m.state === 'live' && this.session.overQuota() ? 'over_quota' : m.state
    return {
      state,
      reason: m.reason,
      notice: this.notice,
      chartPhase,
      synced: m.state === 'live' && (chartPhase === null || chartPhase === 'synced'),
      upstream: this.session.upstream,
      welcome: this.session.welcome,
      market: this.market,
      polled: this.sync.targets(),
      attempt: m.attempt,
      tokenExpiresAt: this.refresher.state.expiresAt,
    }
  }

  // ── stream events ─────────────────────────────────────────────────────────

  private onDown(): void {
    if (this.session.welcome) openOutage(this.outages, this.deps.clock.now(), this.stream.heardAt)
    this.ages.streamLost(this.model.tickersWhere('on'), this.stream.heardAt)
    this.session.lost()
  }

  /** A refreshed token: REST and the next handshake use it (when the client holds one; else the renewed cookie does), and the open stream moves onto it. */
  private tokenIssued(token: string): void {
    if (this.token !== null) this.token = token
    this.session.refresh(token)
  }

  private applyWatchlist(wl: Watchlist): void {
    const next = wl.items.map((i) => i.ticker)
    const removed = this.model.tickers().filter((t) => !next.includes(t))
    this.session.unsubscribe(removed)
    this.model.setWatchlist(next)
    if (removed.length) this.model.retryRefused()
    const chart = this.model.chartSymbol()
    if (chart && !next.includes(chart)) {
      if (next.length) void this.selectChart(next[0], this.model.chartView()?.spec.key ?? '1m')
      else this.model.clearChart()
    }
    this.session.subscribeWatchlist()
    this.changed()
  }

  /** Records a REST failure for the page; a 401 signs the client out. True when it did. */
  private onRestError(e: unknown): boolean {
    const err = e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', String(e), 0)
    this.notice = { code: err.code, message: err.message }
    if (!err.isAuth) return false
    this.stream.authLost({ code: err.code, message: err.message })
    return true
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p
    } catch (e) {
      this.onRestError(e)
      this.changed()
      throw e
    }
  }

  private changed(): void {
    this.model.compact(this.serverNow())
    this.sync.syncPolling()
    this.sync.maybeRecover()
    closeOutage(this.outages, this.deps.clock.now(), () => this.status().synced)
    for (const fn of this.listeners) fn()
  }
}
