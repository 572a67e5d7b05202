/** Entry of the /terminal page: sign-in, the watchlist table, the chart, the options panel and the state indicator, wired to the MarketClient; remembers the user's view and binds the keys. */
import { isChartTimespan, type ChartTimespan } from '../../client/chart-series'
import { MarketClient } from '../../client/market-client'
import { browserClock } from '../../client/browser-clock'
import { ApiError } from '../../client/rest-api'
import type { SocketFactory } from '../../client/stream-connection'
import type { User } from '../../client/wire'
import { AuthView } from './auth-view'
import { ChartView } from './chart-view'
import { byId, setText } from './dom'
import { showAge } from './freshness-view'
import { bindKeys } from './keyboard'
import { loadPageState, savePageState } from './page-state'
import { SearchView } from './search-view'
import { direction, price, signed } from './format'
import { OptionsView } from './options-view'
import { renderStatus, showNotice } from './status-view'
import { WatchView } from './watch-view'

const client = new MarketClient({
  baseUrl: location.origin,
  fetch: (url, init) => fetch(url, init),
  WebSocket: WebSocket as unknown as SocketFactory,
  clock: browserClock,
  random: Math.random,
})
let timespan: ChartTimespan = '1m'
let started = false
let lastNotice: unknown = null
/** The signed-in user (whose view is remembered) and what was last saved for them. */
let userId: number | null = null
let saved = ''

const chart = new ChartView(
  byId('chart'),
  { legend: byId('chart-legend'), live: byId<HTMLButtonElement>('chart-live') },
  { older: () => void client.loadOlder() },
)
const watch = new WatchView({
  select: (ticker) => void client.selectChart(ticker, timespan),
  remove: (ticker) => void client.removeTicker(ticker).catch(report),
  sorted: () => schedule(),
})
const options = new OptionsView(client.api)
const auth = new AuthView(client.api, (token, user) => void enter(token, user))
const search = new SearchView(client.api, (ticker) => addTicker(ticker))

function report(e: unknown): void {
  showNotice(e instanceof ApiError ? `${e.message} (${e.code})` : String(e))
}

/** Shows the terminal for a signed-in user and starts the client (REST load, then the stream). */
async function enter(token: string | null, user: User): Promise<void> {
  client.setToken(token)
  setText(byId('user-email'), user.email)
  byId('auth').hidden = true
  byId('terminal').hidden = false
  byId('user').hidden = false
  started = true
  // The view this user left in this browser: ticker, timeframe, options panel, sort.
  const remembered = loadPageState(user.id)
  userId = user.id
  saved = ''
  timespan = remembered.timespan ?? '1m'
  watch.setSort(remembered.sort ?? null)
  await client.start({ symbol: remembered.ticker, timespan }).catch(report)
  const symbol = client.model.chartSymbol()
  if (remembered.options && symbol) options.open(symbol)
  render()
}

/** Saves the user's view when it changed (only once a chart shows, so a load in progress never forgets the ticker). */
function remember(symbol: string | null): void {
  if (userId === null || !started || !symbol) return
  const state = { ticker: symbol, timespan, options: options.openFor() !== null, sort: watch.currentSort() }
  const text = JSON.stringify(state)
  if (text !== saved) ((saved = text), savePageState(userId, state))
}

async function signOut(): Promise<void> {
  client.stop()
  started = false
  userId = null
  // Log out while the client still holds its bearer token, so that session is revoked too (not only the cookie's).
  await client.api.logout().catch(() => {})
  client.setToken(null)
  showAuth('Signed out.')
}

function showAuth(message?: string): void {
  options.close()
  byId('terminal').hidden = true
  byId('user').hidden = true
  byId('auth').hidden = false
  auth.show(message)
}

let frame = 0
function schedule(): void {
  if (!frame) frame = requestAnimationFrame(render)
}

function render(): void {
  frame = 0
  const s = client.status()
  renderStatus(s)
  if (s.notice && s.notice !== lastNotice) {
    lastNotice = s.notice
    if (s.notice.code !== 'NETWORK_ERROR' || s.state === 'live') showNotice(`${s.notice.message} (${s.notice.code})`)
  }
  if (s.state === 'signed_out' && started) {
    started = false
    client.stop()
    showAuth(
      s.reason?.code === 'TOKEN_EXPIRED' || s.reason?.code === 'SESSION_TOO_OLD'
        ? 'Your session expired. Sign in again.'
        : `Signed out: ${s.reason?.message ?? ''}`,
    )
  }
  const view = client.model.chartView()
  watch.render(
    client.model.rows(),
    view?.symbol ?? null,
    (t) => client.model.streaming(t),
    (t) => client.priceAge(t),
  )
  renderChart(view)
  byId<HTMLButtonElement>('options-open').disabled = !view
  // An open panel follows the ticker picked in the watchlist.
  if (view && options.openFor() && options.openFor() !== view.symbol) options.open(view.symbol)
  remember(view?.symbol ?? null)
}

function renderChart(view: ReturnType<MarketClient['model']['chartView']>): void {
  byId('chart-empty').hidden = view !== null
  if (!view) return
  chart.show(`${view.symbol}:${view.spec.key}`, view.bars)
  byId('chart-start').hidden = view.older !== 'ended'
  setText(byId('chart-symbol'), view.symbol)
  const row = client.model.rows().find((r) => r.ticker === view.symbol)
  setText(byId('chart-last'), price(row?.last ?? null))
  const change = byId('chart-change')
  setText(change, `${signed(row?.change ?? null)} (${signed(row?.change_pct ?? null, 2, '%')})`)
  change.dataset.dir = direction(row?.change ?? null)
  showAge(byId('chart-quote'), byId('chart-age'), client.priceAge(view.symbol))
  setText(byId('chart-phase'), view.phase === 'synced' ? `${view.bars.length} bars` : view.phase.replace('_', ' '))
  for (const b of document.querySelectorAll<HTMLButtonElement>('#spans button'))
    b.classList.toggle('active', b.dataset.span === view.spec.key)
}

function selectSpan(span: unknown): void {
  const symbol = client.model.chartSymbol()
  if (!isChartTimespan(span) || !symbol) return
  timespan = span
  void client.selectChart(symbol, span)
}
byId('spans').addEventListener('click', (e) => selectSpan((e.target as HTMLElement).closest('button')?.dataset.span))

function addTicker(raw: string): void {
  const input = byId<HTMLInputElement>('add-ticker')
  const ticker = raw.trim().toUpperCase()
  if (!ticker) return
  // The add resolves after the new chart's load; by then the user may have typed the next ticker.
  const clear = () => {
    if (input.value.trim().toUpperCase() === ticker) input.value = ''
  }
  client.addTicker(ticker).then(clear, report)
}
byId<HTMLFormElement>('add-form').addEventListener('submit', (e) => {
  e.preventDefault()
  search.cancel()
  addTicker(byId<HTMLInputElement>('add-ticker').value)
})
bindKeys({
  focusSearch: () => byId('add-ticker').focus(),
  focusWatchlist: () => watch.focus(),
  timeframe: selectSpan,
})
byId('options-open').addEventListener('click', () => {
  const symbol = client.model.chartSymbol()
  if (symbol) options.open(symbol)
})
byId('sign-out').addEventListener('click', () => void signOut())
addEventListener('online', () => client.nudge())
// A dead link is found in seconds: the browser's word that the network is gone, or a page woken
// from sleep whose stream went silent, end the stream at once; prices' ages tick every second.
addEventListener('offline', () => client.offline())
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') client.woke()
})
setInterval(() => started && schedule(), 1000)
client.onChange(schedule)

/** Test and debugging hook: what the page shows. */
Object.assign(window, {
  __terminal: {
    status: () => client.status(),
    bars: () => chart.bars(),
    /** The chart's visible bar times, whether the latest bar is out of view, and the older-history state. */
    visible: () => chart.visibleTimes(),
    scrolledBack: () => chart.scrolledBack(),
    older: () => client.model.chartView()?.older ?? null,
    symbol: () => client.model.chartSymbol(),
    timespan: () => timespan,
    rows: () => client.model.rows(),
    /** Each watchlist price's age (local ms since known current) and staleness. */
    ages: () => client.model.tickers().map((ticker) => ({ ticker, ...client.priceAge(ticker) })),
    outages: () => client.outages,
    counters: () => ({ ...client.model.counters, sockets: client.stream.opened }),
    /** Server − PC clock, in ms, as the client estimates it. */
    clockOffset: () => client.serverClock.offset(),
  },
})

client.api.me().then(
  (me) => void enter(null, me.user),
  () => showAuth(),
)
