/** The MarketClient in Bun against a listening app on a clock 20× fast with one-minute tokens: it refreshes on its own and never drops the stream, and signs out when the session is too old. */
import { afterEach, describe, expect, it } from 'bun:test'
import { MarketClient } from '../../src/client'
import { createScaledClock } from '../support/scaled-clock'
import { startFaultProxy, type FaultProxy } from '../e2e/support/fault-proxy'
import { startTerminalApp, type TerminalApp } from '../e2e/support/terminal-app'
import { Changes, clockReaches } from '../support/wait'

/** A Wednesday 10:40 in New York (a busy market); a 60 s token lives 3 s of test time. */
const scale = 20
const S = 1000
const password = 'correct horse battery'


/**
 * An app with `env` behind a proxy that stamps HTTP `Date` from the app's clock (as a real server's
 * would), a signed-in account with AAPL and MSFT on its watchlist, and a client holding its token.
 */
async function setup(env: Record<string, string>) {
  const clock = createScaledClock(scale, Date.UTC(2025, 2, 12, 14, 40))
  const app = await startTerminalApp({ WS_HEARTBEAT_MS: '20000', JWT_TTL_SECONDS: '60', ...env }, clock)
  const proxy = startFaultProxy(app.url, { clock })
  const post = (path: string, body: unknown, token?: string) =>
    fetch(app.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<any>)
  const email = `refresh-${crypto.randomUUID().slice(0, 8)}@example.com`
  await post('/api/v1/auth/register', { email, password })
  const login = await post('/api/v1/auth/login', { email, password })
  for (const ticker of ['AAPL', 'MSFT']) await post('/api/v1/watchlist', { ticker }, login.token)
  const client = new MarketClient({
    baseUrl: proxy.url,
    fetch: (url, init) => fetch(url, init),
    WebSocket: WebSocket as any,
    clock,
    random: Math.random,
  })
  client.setToken(login.token)
  const states: string[] = []
  const changes = new Changes()
  client.onChange(() => {
    const s = client.status().state
    if (states.at(-1) !== s) states.push(s)
    changes.changed()
  })
  /** Resolves once `ok()` holds, re-checked whenever the client reports a change. */
  const until = (what: string, ok: () => boolean, timeoutMs = 20_000) => changes.until(ok, what, timeoutMs)
  return { app, proxy, clock, client, states, until, token: login.token as string, expiresAt: Date.parse(login.expires_at) }
}

describe('client token refresh', () => {
  let app: TerminalApp | undefined
  let proxy: FaultProxy | undefined
  let client: MarketClient | undefined
  afterEach(async () => {
    client?.stop()
    proxy?.stop()
    await app?.stop()
  })

  it('should refresh before each expiry on its own, keep one stream live throughout, and keep REST working', async () => {
    const t = await setup({})
    ;({ app, proxy, client } = t)
    await t.client.start({ symbol: 'AAPL', timespan: '1m' })
    await t.until('live and synced', () => t.client.status().synced)
    expect(t.client.status().tokenExpiresAt).toBe(t.expiresAt)
    // Three and a half lifetimes of the first token (on the clock app and client share).
    await clockReaches(t.clock, t.expiresAt + 150 * S)
    const status = t.client.status()
    expect(status.state).toBe('live')
    expect(t.states).toEqual(['idle', 'connecting', 'live'])
    expect(t.client.stream.opened).toBe(1)
    expect(t.client.outages).toEqual([])
    expect(t.client.refresher.refreshes).toBeGreaterThanOrEqual(4)
    expect(status.tokenExpiresAt!).toBeGreaterThan(t.clock.now())
    // The stream still delivers, and REST answers with the client's current token, not the first (long expired) one.
    const trades = t.client.model.counters.applied
    await t.until('more market messages', () => t.client!.model.counters.applied > trades, 10_000)
    expect((await t.client.api.watchlist()).items.map((i) => i.ticker)).toEqual(['AAPL', 'MSFT'])
    const stale = await fetch(`${t.app.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${t.token}` } })
    expect(stale.status).toBe(401)
  }, 30_000)

  it('should go to signed_out without reconnecting when the session is too old to refresh', async () => {
    const t = await setup({ SESSION_MAX_SECONDS: '90' })
    ;({ app, proxy, client } = t)
    await t.client.start({ symbol: 'AAPL', timespan: '1m' })
    await t.until('signed out', () => t.client.status().state === 'signed_out', 15_000)
    expect(t.client.status().reason?.code).toBe('SESSION_TOO_OLD')
    expect(t.client.refresher.refreshes).toBeGreaterThanOrEqual(2)
    await clockReaches(t.clock, t.clock.now() + 60 * S) // a minute of app time: no reconnect
    expect(t.client.stream.opened).toBe(1)
    expect(t.states.at(-1)).toBe('signed_out')
  }, 30_000)
})
