/** The connection/data-state indicator, the market-session pill and the notice line: what the client is doing and why, in words. */
import type { ClientStatus } from '../../client/market-client'
import { sessionPill } from '../../client/market-session'
import { byId, setText } from './dom'

const labels: Record<ClientStatus['state'], string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Polling',
  offline: 'Offline',
  signed_out: 'Signed out',
  over_quota: 'Over quota',
  degraded: 'Degraded',
  stopped: 'Offline',
}

/** One line under the indicator: the detail a trader needs (why, and what data they are seeing). */
function detail(s: ClientStatus): string {
  switch (s.state) {
    case 'live':
      if (s.upstream && s.upstream.upstream !== 'ok') return `market feed ${s.upstream.upstream}; prices may lag`
      return s.synced ? 'streaming' : 'catching up…'
    case 'reconnecting':
      return `stream lost (${s.reason?.message ?? 'network'}); retry ${s.attempt}`
    case 'polling':
      return 'stream down; prices every 3 s, bars every 20 s over REST'
    case 'offline':
      return `no network: stream and REST fail; retry ${s.attempt}`
    case 'degraded':
      return `${s.reason?.message ?? 'data may be stale'}; polling over REST`
    case 'over_quota':
      return `${s.notice?.message ?? s.reason?.message ?? 'limit reached'}; ${s.polled.length} polled over REST`
    case 'signed_out':
      return s.reason?.message ?? 'sign in to stream'
    default:
      return ''
  }
}

/**
 * What a screen reader hears when the state changes, and whether it interrupts: only losing every
 * source of prices (offline) or being signed out is urgent. No counters, so a retry is not news;
 * null for passing states (connecting, catching up) that the next state's sentence covers.
 */
export function announcement(s: ClientStatus): { text: string; urgent: boolean } | null {
  switch (s.state) {
    case 'live':
      if (!s.synced) return null
      if (s.upstream && s.upstream.upstream !== 'ok') return { text: `Live, but the market feed is ${s.upstream.upstream}: prices may lag.`, urgent: false }
      return { text: 'Live: prices are streaming.', urgent: false }
    case 'reconnecting':
      return { text: 'Stream lost: reconnecting. Prices shown may be old.', urgent: false }
    case 'polling':
      return { text: 'Stream down: prices update every 3 seconds over REST.', urgent: false }
    case 'offline':
      return { text: 'Offline: no network. Prices are not updating.', urgent: true }
    case 'degraded':
      return { text: `Degraded: ${s.reason?.message ?? 'data may be stale'}. Polling over REST.`, urgent: false }
    case 'over_quota':
      return { text: `Over quota: ${s.notice?.message ?? s.reason?.message ?? 'limit reached'}.`, urgent: false }
    case 'signed_out':
      return { text: `Signed out: ${s.reason?.message ?? 'sign in to stream'}.`, urgent: true }
    default:
      return null
  }
}

/** Puts a new announcement in its live region (polite or assertive) and empties the other one. */
function announce(s: ClientStatus): void {
  const said = announcement(s)
  if (said === null) return
  setText(byId(said.urgent ? 'conn-alert' : 'conn-announce'), said.text)
  setText(byId(said.urgent ? 'conn-announce' : 'conn-alert'), '')
}

export function renderStatus(s: ClientStatus): void {
  announce(s)
  const box = byId('conn')
  const state = s.state === 'live' && !s.synced ? 'syncing' : s.state
  if (box.dataset.state !== state) box.dataset.state = state
  setText(byId('conn-label'), labels[s.state])
  setText(byId('conn-detail'), detail(s))
  box.title = s.reason ? `${s.reason.code}: ${s.reason.message}` : ''
  renderSession(s)
}

/** The market-session pill next to the indicator: pre-market / open / after-hours / closed, with the next open. */
function renderSession(s: ClientStatus): void {
  const pill = byId('session')
  if (s.market === null) return
  const { state, text } = sessionPill(s.market)
  if (pill.dataset.state !== state) pill.dataset.state = state
  setText(pill, text)
  pill.title = s.market.holiday ? `${s.market.holiday}` : ''
  pill.hidden = false
}

let noticeTimer: ReturnType<typeof setTimeout> | null = null

/** Shows a message bar (errors, limits) for a while. */
export function showNotice(text: string, kind: 'error' | 'info' = 'error'): void {
  const bar = byId('notice')
  bar.textContent = text
  bar.dataset.kind = kind
  bar.hidden = false
  if (noticeTimer) clearTimeout(noticeTimer)
  noticeTimer = setTimeout(() => (bar.hidden = true), 6000)
}
