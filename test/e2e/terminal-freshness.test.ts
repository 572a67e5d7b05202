/** /terminal in Debian Chromium finds a dead link in seconds: a half-open stream (the server side stops sending, nothing closes) and a network cut (context.setOffline) each leave "Live" within 6 s, prices show their age and turn stale, failing polls say "Offline", and back online the page is live with the chart equal to REST; screen readers hear each change once (the live regions); and rows fed by the stream show the volume and day range of its snapshots' day. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { emptyRow, rowFromStream, type SnapshotRow } from '../../src/client/watch-rows'
import type { MarketMessage, WireBar } from '../../src/client/wire'
import { price, volume } from '../../src/terminal/page/format'
import { createScaledClock } from '../support/scaled-clock'
import { divergences } from './support/compare-bars'
import { startFaultProxy, type FaultProxy } from './support/fault-proxy'
import { artifacts, launchBrowser, waitFor as waitForPage, type TestBrowser } from './support/browser'
import { startTerminalApp, type TerminalApp } from './support/terminal-app'

const M = 60_000
/** Real speed in a busy session: a Wednesday 10:40:45 in New York. The browser's clock is set to match. */
const clock = createScaledClock(1, Date.UTC(2025, 2, 12, 14, 40, 45))
/** The dead-link bound the page promises: "Live" is gone within this of the link dying. */
const detectWithinMs = 6_000
const waitFor = <A>(page: Page, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 30_000) =>
  waitForPage(page, what, fn, arg, { timeoutMs, shotName: 'terminal-freshness-timeout' })
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `terminal-freshness-${name}.png`) })
const status = (page: Page) =>
  page.evaluate(() => (window as any).__terminal.status() as { state: string; reason: { code: string } | null })
const rowAges = (page: Page) =>
  page.$$eval('#watch-body tr', (trs) =>
    trs.map((tr) => ({
      ticker: (tr as HTMLElement).dataset.ticker,
      stale: tr.classList.contains('stale'),
      age: tr.querySelector('.age')!.textContent,
    })),
  )
/** What the page's live regions said since `listenToAnnouncements`, in order: the region (polite or assertive) and its text. */
const announced = (page: Page) =>
  page.evaluate(() => (window as any).__announced as { live: string; text: string }[])
/** Records every non-empty text put in the connection's live regions, with the politeness each region declares. */
const listenToAnnouncements = (page: Page) =>
  page.evaluate(() => {
    const log: { live: string; text: string }[] = ((window as any).__announced = [])
    for (const region of document.querySelectorAll<HTMLElement>('#conn-announce, #conn-alert')) {
      new MutationObserver(() => {
        if (region.textContent) log.push({ live: region.getAttribute('aria-live')!, text: region.textContent })
      }).observe(region, { childList: true, characterData: true, subtree: true })
    }
  })

/**
 * A row built from the stream's frames alone (no REST): the day's volume and range can only come
 * from snapshots' `day`. Stale sequence numbers are skipped, as the page does.
 */
function rowFromFrames(frames: readonly string[], ticker: string): { row: SnapshotRow; days: number } {
  let row = emptyRow(ticker)
  let days = 0
  let cursor: { epoch: string; seq: number } | null = null
  for (const frame of frames) {
    const m = JSON.parse(frame) as MarketMessage
    if (m.symbol !== ticker || !['snapshot', 'trade', 'quote'].includes(m.type)) continue
    // Quotes count their own seq (the page subscribes the quotes channel): they only move bid and ask.
    if (m.type === 'quote') {
      row = rowFromStream(row, m) ?? row
      continue
    }
    if (cursor && cursor.epoch === m.epoch && m.seq <= cursor.seq) continue
    cursor = { epoch: m.epoch, seq: m.seq }
    if (m.type === 'snapshot' && m.data.day) days++
    row = rowFromStream(row, m) ?? row
  }
  return { row, days }
}

describe('terminal freshness in Chromium', () => {
  let app: TerminalApp
  let proxy: FaultProxy
  let page: Page
  let browser: TestBrowser
  /** Every text frame the page received on its streams, in order. */
  const frames: string[] = []
  const email = `fresh-${crypto.randomUUID().slice(0, 8)}@example.com`
  const password = 'correct horse battery'

  beforeAll(async () => {
    app = await startTerminalApp({ WS_HEARTBEAT_MS: '20000' }, clock)
    proxy = startFaultProxy(app.url, { clock })
    browser = await launchBrowser({ width: 1440, height: 860 }, clock.now())
    page = browser.page
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    proxy?.stop()
    await app?.stop()
  })

  /**
   * Waits until `ticker`'s row, in the model (source WS) and on screen, has the volume and day range
   * of a row built from the stream's frames alone; computed again if a frame in flight lands meanwhile.
   */
  async function showsStreamedDay(ticker: string): Promise<void> {
    for (;;) {
      const seen = frames.length
      const { row, days } = rowFromFrames(frames, ticker)
      expect(days).toBeGreaterThan(0)
      expect(row.volume).toBeGreaterThan(0)
      const want = { volume: row.volume, high: row.high, low: row.low, shownVolume: volume(row.volume!), shownRange: `${price(row.low)} – ${price(row.high)}` }
      try {
        return await waitFor(
          page,
          `${ticker}'s volume and range from the stream's day (${JSON.stringify(want)})`,
          ([t, w]) => {
            const r = (window as any).__terminal.rows().find((x: any) => x.ticker === t)
            const tr = document.querySelector(`#watch-body tr[data-ticker="${t}"]`)!
            return r.source === 'WS' && r.volume === w.volume && r.high === w.high && r.low === w.low &&
              tr.querySelector('td.volume')!.textContent === w.shownVolume && tr.querySelector('td.range')!.textContent === w.shownRange
          },
          [ticker, want] as const,
          1_000,
        )
      } catch (e) {
        if (frames.length === seen) throw e
      }
    }
  }

  /** Waits until the page is live and caught up, every row streamed and shown 'live'. */
  async function liveAndFresh(what: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      page,
      what,
      () =>
        (window as any).__terminal.status().synced &&
        (window as any).__terminal.ages().every((a: any) => a.streamed) &&
        document.querySelector('#conn-label')!.textContent === 'Live' &&
        // Drawn synced (the label reads Live while syncing too; the page draws a frame after the client's state).
        (document.querySelector('#conn') as HTMLElement).dataset.state === 'live' &&
        [...document.querySelectorAll('#watch-body tr .age')].every((a) => a.textContent === 'live'),
      null,
      timeoutMs,
    )
  }

  it('should leave Live within 6 s of a half-open stall or a network cut, show ages, say Offline when polls fail, and recover', async () => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('websocket', (ws) => ws.on('framereceived', (f) => void (typeof f.payload === 'string' && frames.push(f.payload))))
    await page.goto(`${proxy.url}/terminal`)
    await page.waitForSelector('#auth-form')
    await page.fill('#auth-email', email)
    await page.fill('#auth-password', password)
    await page.click('#sign-up')
    await page.waitForSelector('#terminal:not([hidden])')
    for (const ticker of ['AAPL', 'MSFT']) {
      await page.fill('#add-ticker', ticker)
      await page.click('#add-form button')
      await page.waitForSelector(`#watch-body tr[data-ticker="${ticker}"]`)
    }
    await liveAndFresh('live with every row streamed')
    // Screen readers: the state is in a polite live region; the busy visual indicator is not live.
    expect(await page.textContent('#conn-announce')).toBe('Live: prices are streaming.')
    expect(await page.getAttribute('#conn-announce', 'aria-live')).toBe('polite')
    expect(await page.getAttribute('#conn-alert', 'aria-live')).toBe('assertive')
    expect(await page.getAttribute('#conn', 'aria-live')).toBeNull()
    expect(await page.getAttribute('#session', 'aria-live')).toBe('polite')
    const welcome = await page.evaluate(() => (window as any).__terminal.status().welcome)
    expect(welcome).toMatchObject({ heartbeat_ms: 20_000, keepalive_ms: 2000 })
    await shot(page, 'live')

    // Every row last set by the stream (a REST answer with the same trade time also sets a row).
    await waitFor(page, 'every row from the stream', () => (window as any).__terminal.rows().every((r: any) => r.source === 'WS'), null, 15_000)

    // 1. Half-open: the proxy stops forwarding without closing anything. Only the watchdog can tell.
    expect(proxy.stallStreams()).toBeGreaterThanOrEqual(1)
    const stalledAt = performance.now()
    // Nothing new arrives now (frames in flight aside): the rows show what the stream said, volume
    // and day range from its snapshots' day, as a row fed by the frames alone has them.
    for (const ticker of ['AAPL', 'MSFT']) await showsStreamedDay(ticker)
    await waitFor(page, 'the stall detected', () => (window as any).__terminal.status().state !== 'live', null, detectWithinMs + 2_000)
    const stallDetectedMs = Math.round(performance.now() - stalledAt)
    expect((await status(page)).reason?.code).toBe('NO_HEARTBEAT')
    // On the page's clock: lost 5.5 s (2.75 keepalives) after the last byte, which came before the stall.
    const stall = await page.evaluate(() => (window as any).__terminal.outages().at(-1) as { lostAt: number; lastByteAt: number })
    const silenceMs = stall.lostAt - stall.lastByteAt
    expect(silenceMs).toBeGreaterThanOrEqual(5_500)
    expect(silenceMs).toBeLessThanOrEqual(detectWithinMs)
    await waitFor(page, 'the label off Live', () => document.querySelector('#conn-label')!.textContent !== 'Live', null, 1_000)
    await shot(page, 'stall-detected')
    // New sockets through the proxy are bridged again: live again.
    proxy.resumeStreams()
    await liveAndFresh('live again after the stall')

    // 2. The network is cut for ~20 s: the browser's offline event ends the stream at once.
    await listenToAnnouncements(page)
    await browser.context.setOffline(true)
    const offlineAt = performance.now()
    await waitFor(page, 'Live gone after going offline', () => document.querySelector('#conn-label')!.textContent !== 'Live', null, detectWithinMs)
    const offlineDetectedMs = Math.round(performance.now() - offlineAt)
    // The offline event (OFFLINE), or Chromium closing the socket itself (NETWORK), whichever comes first.
    expect(['OFFLINE', 'NETWORK']).toContain(String((await status(page)).reason?.code))
    await shot(page, 'offline-reconnecting')
    // Prices age from the last byte and turn stale (dimmed, 'Ns old') after 6 s; the chart header too.
    await waitFor(
      page,
      'every row stale with its age',
      () =>
        [...document.querySelectorAll('#watch-body tr')].every(
          (tr) => tr.classList.contains('stale') && /^\d+s old$/.test(tr.querySelector('.age')!.textContent!),
        ) && document.querySelector('#chart-quote')!.classList.contains('stale'),
      null,
      10_000,
    )
    const staleRows = await rowAges(page)
    expect(staleRows.map((r) => r.ticker)).toEqual(['AAPL', 'MSFT'])
    expect(await page.textContent('#chart-age')).toMatch(/^\d+s old$/)
    expect(
      await page.evaluate(() => getComputedStyle(document.querySelector('#watch-body tr.stale td.last')!).opacity),
    ).toBe('0.45')
    await shot(page, 'stale-rows')
    // After 10 s down the client polls REST; the polls fail too, so it says Offline, not Polling.
    await waitFor(page, 'offline', () => (window as any).__terminal.status().state === 'offline', null, 20_000)
    await waitFor(page, 'the Offline label', () => document.querySelector('#conn-label')!.textContent === 'Offline', null, 2_000)
    await shot(page, 'offline')
    // The cut lasts until the prices are 20 s old, and the page keeps saying so all along.
    await waitFor(
      page,
      'prices 20 s old',
      () =>
        (window as any).__terminal.ages().every((a: any) => a.ageMs >= 20_000 && a.stale) &&
        [...document.querySelectorAll('#watch-body tr')].every(
          (tr) => tr.classList.contains('stale') && /^[2-9]\ds old$/.test(tr.querySelector('.age')!.textContent!),
        ),
      null,
      25_000,
    )
    expect((await status(page)).state).toBe('offline')
    // Heard so far: the loss politely, then "offline" at once (assertive), with at most the polling
    // that the first failed poll ends in between (one frame, if drawn); the retries said nothing more.
    const heardOffline = await announced(page)
    expect(heardOffline[0]).toEqual({ live: 'polite', text: 'Stream lost: reconnecting. Prices shown may be old.' })
    expect(heardOffline.at(-1)).toEqual({ live: 'assertive', text: 'Offline: no network. Prices are not updating.' })
    expect(heardOffline.length).toBeLessThanOrEqual(3)
    expect(heardOffline.slice(1, -1).every((a) => a.text.startsWith('Stream down'))).toBe(true)

    // 3. Back online: live at once (the online event retries now), prices fresh, the chart equal to REST.
    await browser.context.setOffline(false)
    await liveAndFresh('live after the network is back', 15_000)
    expect((await rowAges(page)).every((r) => !r.stale && r.age === 'live')).toBe(true)
    // And back live, politely; the assertive region no longer holds "offline".
    expect((await announced(page)).at(-1)).toEqual({ live: 'polite', text: 'Live: prices are streaming.' })
    expect(await page.textContent('#conn-announce')).toBe('Live: prices are streaming.')
    expect(await page.textContent('#conn-alert')).toBe('')
    await shot(page, 'back-online')

    const serverNow = await page.evaluate(() => Date.now())
    const closedBefore = Math.floor(serverNow / M) * M - M
    const bars = (await page.evaluate(() => (window as any).__terminal.bars() as WireBar[])).filter(
      (b) => b.t < closedBefore,
    )
    const login = (await fetch(`${app.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    }).then((r) => r.json())) as { token: string }
    const rest: WireBar[] = []
    let path = `/api/v1/market-data/bars?ticker=AAPL&timespan=minute&from=${bars[0].t}&to=${closedBefore - 1}&limit=10000`
    for (;;) {
      const body = (await fetch(app.url + path, { headers: { authorization: `Bearer ${login.token}` } }).then((r) =>
        r.json(),
      )) as { results: WireBar[]; next_cursor: string | null }
      rest.push(...body.results)
      if (!body.next_cursor) break
      path = `/api/v1/market-data/bars?cursor=${encodeURIComponent(body.next_cursor)}`
    }
    expect(divergences(bars, rest)).toEqual([])
    expect(bars.length).toBeGreaterThan(300)
    console.log('terminal-freshness-e2e', JSON.stringify({ stallDetectedMs, silenceMs, offlineDetectedMs, comparedBars: bars.length }))
    expect(errors).toEqual([])
  }, 180_000)
})
