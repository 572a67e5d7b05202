/** The client's conversation over the open stream: subscribes the watchlist, routes each server message (market data, answers, refusals, token expiry, status facts) and keeps what the status reports of it. */
import type { ChartLoader } from './chart-loader'
import type { Reason } from './connection-machine'
import type { MarketModel } from './market-model'
import type { RestSync } from './rest-sync'
import type { StreamCursor } from './sequence'
import type { StreamConnection } from './stream-connection'
import { StreamRequests } from './stream-requests'
import type { TokenRefresher } from './token-refresher'
import type { MarketStatus, ServerMessage, StatusData, StreamChannel, WelcomeData } from './wire'

/** What the page subscribes its watchlist to: everything, quotes included. */
const watchlistChannels: StreamChannel[] = ['trades', 'quotes', 'bars', 'snapshots']

export interface StreamSessionDeps {
  model: MarketModel
  stream: StreamConnection
  refresher: TokenRefresher
  /** The server's time now, as estimated (the model's "known good until"). */
  serverNow(): number
  /** Loads a reset symbol's row again over REST. */
  sync: Pick<RestSync, 'refreshSnapshots'>
  /** Loads a reset symbol's chart again over REST. */
  charts: Pick<ChartLoader, 'reload'>
  /** The server said `market_status`. */
  marketStatus(status: MarketStatus): void
  /** The latest in-band notice (a refused request, a limit). */
  notice(reason: Reason): void
  changed(): void
}

export class StreamSession {
  /** The stream's latest `welcome` and upstream `status`, as the server said them. */
  welcome: WelcomeData | null = null
  upstream: StatusData | null = null
  private readonly requests = new StreamRequests()
  private limited = false

  constructor(private readonly d: StreamSessionDeps) {}

  /** Live with some subscriptions refused for the subscription limit. */
  overQuota(): boolean {
    return this.limited && this.d.model.tickersWhere('refused').length > 0
  }

  /** `welcome` arrived: subscribe the watchlist. */
  up(): void {
    this.limited = false
    this.subscribeWatchlist()
  }

  /** The stream is gone: nothing streams and no answer will come. */
  lost(): void {
    this.d.model.streamLost()
    this.requests.clear()
  }

  /** Moves the open stream onto a refreshed token. */
  refresh(token: string): void {
    this.d.stream.send({ action: 'refresh', token, id: this.requests.refreshId() })
  }

  /** Stops streaming those of these (removed) watchlist symbols that are on the stream or awaited. */
  unsubscribe(removed: string[]): void {
    const { model, stream } = this.d
    const symbols = removed.filter((t) => model.streaming(t) === 'on' || model.streaming(t) === 'awaiting')
    if (symbols.length) stream.send({ action: 'unsubscribe', symbols })
  }

  /** Subscribes the watchlist's symbols that are not on the stream yet. */
  subscribeWatchlist(): void {
    const { stream, model } = this.d
    if (!stream.machine.streamUp) return
    const off = model.tickersWhere('off')
    if (off.length === 0) return
    const id = this.requests.subscribeId()
    // The watchlist shows bid × ask, so its symbols take the quotes channel too (one conflated quote per flush window).
    if (!stream.send({ action: 'subscribe', symbols: off, id, channels: watchlistChannels })) return
    this.requests.sent(id, off)
    model.subscribing(off)
  }

  message(m: ServerMessage): void {
    const { model, refresher } = this.d
    switch (m.type) {
      case 'trade':
      case 'bar':
      case 'snapshot':
      case 'quote':
      case 'no_bar':
        model.applyMessage(m, this.d.serverNow())
        break
      case 'reset':
        void this.symbolReset(m.symbol, { epoch: m.epoch, seq: m.seq })
        break
      case 'welcome':
        this.welcome = m.data
        if (typeof m.data.token_expires_at === 'number') refresher.expiryKnown(m.data.token_expires_at)
        break
      case 'refreshed':
        refresher.expiryKnown(m.data.token_expires_at)
        break
      case 'token_expiring':
        refresher.expiring(m.data.token_expires_at)
        break
      case 'status':
        this.upstream = m.data
        break
      case 'market_status':
        this.d.marketStatus(m.data)
        break
      case 'subscribed':
        model.subscribed(m.data.symbols)
        if (m.id !== undefined) this.requests.answered(m.id)
        break
      case 'error':
        this.error(m.data.code, m.data.message, m.id)
        break
      default:
        return
    }
    this.d.changed()
  }

  /** A symbol's history changed scale (a split): its row and, when it is charted, its chart are loaded again over REST. */
  private async symbolReset(symbol: string, cursor: StreamCursor): Promise<void> {
    const { model, sync, charts } = this.d
    model.restarted(symbol, cursor)
    await sync.refreshSnapshots([symbol]).catch(() => {})
    if (model.chartSymbol() === symbol) await charts.reload(symbol)
  }

  private error(code: string, message: string, id: string | number | undefined): void {
    // A refused refresh is retried (a lost session shows when the REST refresh answers 401), not shown.
    if (this.requests.isRefresh(id)) return this.d.refresher.streamRefused()
    this.d.notice({ code, message })
    const symbols = this.requests.refused(id)
    if (!symbols) return
    if (code === 'SUBSCRIPTION_LIMIT') this.limited = true
    this.d.model.refused(symbols)
  }
}
