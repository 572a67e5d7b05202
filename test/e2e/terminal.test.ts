/** /terminal in Debian Chromium (playwright-core): sign up, watch two tickers move, survive a cut stream via polling, and match REST bar for bar. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { MarketStatus, WireBar } from '../../src/client/wire'
import { sessionPill } from '../../src/client/market-session'
import { createScaledClock } from '../support/scaled-clock'
import { clockReaches } from '../support/wait'
import { divergences } from './support/compare-bars'
import { startFaultProxy, type FaultProxy } from './support/fault-proxy'
import { artifacts, launchBrowser, waitFor as waitForPage, type TestBrowser } from './support/browser'
import { startTerminalApp, type TerminalApp } from './support/terminal-app'

const M = 60_000
/** Real speed, but in a busy session: a Wednesday 10:40:45 in New York (a minute closes 15 s in). The browser's clock is set to match. */
const clock = createScaledClock(1, Date.UTC(2025, 2, 12, 14, 40, 45))
/** Waits for `fn(arg)` to be truthy in the page; a screenshot is saved on timeout. */
const waitFor = <A>(page: Page, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 30_000) =>
  waitForPage(page, what, fn, arg, { timeoutMs, shotName: 'terminal-timeout' })

const state = (page: Page) => page.evaluate(() => (window as any).__terminal.status().state as string)
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `terminal-${name}.png`) })

describe('terminal page in Chromium', () => {
  let app: TerminalApp
  let proxy: FaultProxy
  let page: Page
  let browser: TestBrowser
  const email = `e2e-${crypto.randomUUID().slice(0, 8)}@example.com`
  const password = 'correct horse battery'

  beforeAll(async () => {
    app = await startTerminalApp({ WS_HEARTBEAT_MS: '5000' }, clock)
    proxy = startFaultProxy(app.url, { clock })
    browser = await launchBrowser({ width: 1440, height: 860 }, clock.now())
    page = browser.page
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    proxy?.stop()
    await app?.stop()
  })

  it('should stream, fall back to polling while the stream is cut, recover, and match REST', async () => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(`${proxy.url}/terminal`)
    await page.waitForSelector('#auth-form')
    await shot(page, 'sign-in')

    await page.fill('#auth-email', email)
    await page.fill('#auth-password', password)
    const pageLogin = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
    await page.click('#sign-up')
    const pageToken = ((await (await pageLogin).json()) as { token: string }).token
    await page.waitForSelector('#terminal:not([hidden])')
    for (const ticker of ['AAPL', 'MSFT']) {
      await page.fill('#add-ticker', ticker)
      await page.click('#add-form button')
      await page.waitForSelector(`#watch-body tr[data-ticker="${ticker}"]`)
    }
    await waitFor(
      page,
      'live and synced',
      () => (window as any).__terminal.status().synced && (window as any).__terminal.bars().length > 0,
      null,
    )
    expect(await page.textContent('#conn-label')).toBe('Live')

    // The market-session pill says what GET /market-data/market-status says (a Wednesday 10:40 ET: open).
    const statusRes = await fetch(`${app.url}/api/v1/market-data/market-status`, {
      headers: { authorization: `Bearer ${pageToken}` },
    })
    const restStatus = (await statusRes.json()) as MarketStatus
    expect(restStatus.market).toBe('open')
    await waitFor(page, 'the session pill', (text) => document.querySelector('#session')!.textContent === text, sessionPill(restStatus).text)
    expect(await page.textContent('#session')).toBe('Open · closes 16:00 ET')
    expect(await page.getAttribute('#session', 'data-state')).toBe('open')

    // Prices move and the chart grows (a new minute bar opens).
    const firstLast = await page.textContent('#watch-body tr[data-ticker="AAPL"] td.last')
    const firstBars = await page.evaluate(() => (window as any).__terminal.bars().length as number)
    await waitFor(
      page,
      'AAPL price to move',
      (first) => document.querySelector('#watch-body tr[data-ticker="AAPL"] td.last')!.textContent !== first,
      firstLast,
    )
    await waitFor(page, 'the chart to grow', (n) => (window as any).__terminal.bars().length > n, firstBars, 75_000)
    await waitFor(
      page,
      'MSFT to stream',
      () => (window as any).__terminal.rows().find((r: any) => r.ticker === 'MSFT').source === 'WS',
      null,
    )
    await shot(page, 'live')

    // Cut the stream server-side and keep it refused: reconnecting, then polling after 10 s.
    proxy.blockStreams()
    expect(proxy.dropStreams(4000)).toBe(1)
    await waitFor(page, 'reconnecting', () => (window as any).__terminal.status().state === 'reconnecting', null, 5_000)
    await shot(page, 'reconnecting')
    await waitFor(page, 'polling', () => (window as any).__terminal.status().state === 'polling', null, 20_000)
    // The label is drawn on the next animation frame after the state changes.
    await waitFor(
      page,
      'the Polling label',
      () => document.querySelector('#conn-label')!.textContent === 'Polling',
      null,
      2_000,
    )
    await waitFor(
      page,
      'a polled price',
      () => (window as any).__terminal.rows().every((r: any) => r.source === 'REST'),
      null,
      10_000,
    )
    await shot(page, 'polling')

    // Restore: live again, caught up.
    proxy.unblockStreams()
    await waitFor(page, 'live again', () => (window as any).__terminal.status().synced, null, 30_000)
    expect(await state(page)).toBe('live')
    await shot(page, 'restored')

    // After the next minute closes, the chart's bars equal REST for the same window. The next minute's
    // bar on the chart means the closed one's final bar came first (a symbol's messages keep their order).
    const boundary = Math.ceil(clock.now() / M) * M
    await clockReaches(clock, boundary)
    await waitFor(
      page,
      'the next minute under way, synced',
      (next) => (window as any).__terminal.status().synced && (window as any).__terminal.bars().some((b: WireBar) => b.t >= next),
      boundary,
    )
    const closedBefore = boundary
    const bars = (await page.evaluate(() => (window as any).__terminal.bars() as WireBar[])).filter(
      (b) => b.t < closedBefore,
    )
    const login = await fetch(`${app.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    }).then((r) => r.json() as Promise<{ token: string }>)
    const restBars = async (query: string): Promise<WireBar[]> => {
      const out: WireBar[] = []
      let path = `/api/v1/market-data/bars?${query}&limit=10000`
      for (;;) {
        const body = (await fetch(app.url + path, { headers: { authorization: `Bearer ${login.token}` } }).then((r) =>
          r.json(),
        )) as {
          results: WireBar[]
          next_cursor: string | null
        }
        out.push(...body.results)
        if (!body.next_cursor) return out
        path = `/api/v1/market-data/bars?cursor=${encodeURIComponent(body.next_cursor)}`
      }
    }
    const rest = await restBars(`ticker=AAPL&timespan=minute&from=${bars[0].t}&to=${closedBefore - 1}`)
    const outages = await page.evaluate(
      () => (window as any).__terminal.outages() as { lostAt: number; recoveredAt: number | null }[],
    )
    console.log(
      'terminal-e2e',
      JSON.stringify({
        wiredBy: app.wiredBy,
        comparedBars: bars.length,
        outages,
        refusedHandshakes: proxy.refused,
        pageErrors: errors,
      }),
    )
    expect(
      divergences(
        bars,
        rest.filter((b) => b.t < closedBefore),
      ),
    ).toEqual([])
    // From the 8-hour load's first bar at 04:00 to ~10:41 (401 minutes): nothing trades overnight, and the thin pre-market
    // minutes whose only prints set no price (odd lots, by the sale-condition rules) have no bar: about 357 drawn.
    expect(bars.length).toBeGreaterThan(320)

    // 5m: history bars plus live minutes re-aggregated with the server's buckets; closed buckets equal REST.
    await page.click('#spans button[data-span="5m"]')
    await waitFor(page, '5m chart', () => (window as any).__terminal.status().chartPhase === 'synced', null)
    await waitFor(page, '5m drawn', () => (window as any).__terminal.bars().length > 100, null)
    const bucket = Math.floor(clock.now() / (5 * M)) * 5 * M
    const fives = (await page.evaluate(() => (window as any).__terminal.bars() as WireBar[])).filter(
      (b) => b.t < bucket,
    )
    const restFives = await restBars(`ticker=AAPL&timespan=minute&multiplier=5&from=${fives[0].t}&to=${bucket - 1}`)
    expect(
      divergences(
        fives,
        restFives.filter((b) => b.t < bucket),
      ),
    ).toEqual([])
    await shot(page, 'five-minute')

    // Sign out: the page's session (the bearer token it holds) is revoked on the server.
    await page.click('#sign-out')
    await page.waitForSelector('#auth:not([hidden])')
    const me = await fetch(`${app.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${pageToken}` } })
    expect(((await me.json()) as { error: { code: string } }).error.code).toBe('TOKEN_REVOKED')
    expect(errors).toEqual([])
  }, 240_000)
})
