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

export function renderStatus(s: ClientStatus): void {
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
