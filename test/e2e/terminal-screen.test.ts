/** /terminal's screen in Chromium (playwright-core): symbol search and add, the chart's latest-bars reset and history paging to the start of the data and "Jump to live" back (every closed bar equal to REST), sorting, state kept across reloads per user, keyboard-only selection, and the laptop (nothing scrolls sideways at 1366x768, a four-digit price included) and phone layouts. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { WireBar } from '../../src/client/wire'
import { nyDayStart } from '../../src/core/market-time'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { createScaledClock } from '../support/scaled-clock'
import { divergences } from './support/compare-bars'
import { artifacts, launchBrowser, waitFor as waitForPage, type TestBrowser } from './support/browser'
import { startTerminalApp, type TerminalApp } from './support/terminal-app'

/** Real speed in a busy session: Wednesday 2025-03-12, 10:40:45 in New York. */
const clock = createScaledClock(1, Date.UTC(2025, 2, 12, 14, 40, 45))
/** The provider's history begins on Monday 2025-02-24 (New York): older pages find nothing before it. */
const historyStartMs = nyDayStart(Date.UTC(2025, 1, 24, 17))

const waitFor = <A>(page: Page, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 30_000) =>
  waitForPage(page, what, fn, arg, { timeoutMs, shotName: 'screen-timeout' })
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `screen-${name}.png`) })
const hook = <T>(page: Page, fn: (t: any) => T) => page.evaluate(fn as any, undefined) as Promise<T>
const terminal = (page: Page) => page.evaluate(() => ({
  symbol: (window as any).__terminal.symbol() as string | null,
  timespan: (window as any).__terminal.timespan() as string,
  bars: (window as any).__terminal.bars() as WireBar[],
  visible: (window as any).__terminal.visible() as { from: number; to: number } | null,
  scrolledBack: (window as any).__terminal.scrolledBack() as boolean,
  older: (window as any).__terminal.older() as string | null,
}))

/** Drags the chart's content right by `dx` pixels: earlier bars come into view. */
async function dragBack(page: Page, dx = 500): Promise<void> {
  const box = (await page.locator('#chart').boundingBox())!
  const y = box.y + box.height * 0.45
  const x = box.x + box.width * 0.25
  await page.mouse.move(x, y)
  await page.mouse.down()
  await page.mouse.move(x + dx, y, { steps: 8 })
  await page.mouse.up()
}

/** The chart shows `symbol` at `span`, loaded, opened at its latest bar (nothing newer out of view). */
const atLatest = (page: Page, symbol: string, span: string) =>
  waitForLatest(page, symbol, span).catch(async (e) => {
    const seen = await page.evaluate(() => {
      const t = (window as any).__terminal
      const b = t.bars()
      return { symbol: t.symbol(), span: t.timespan(), visible: t.visible(), last: b[b.length - 1]?.t, bars: b.length }
    })
    throw new Error(`${(e as Error).message}; the chart shows ${JSON.stringify(seen)}`)
  })
const waitForLatest = (page: Page, symbol: string, span: string) =>
  waitFor(
    page,
    `${symbol} ${span} at its latest bars`,
    ([s, k]) => {
      const t = (window as any).__terminal
      const bars = t.bars()
      const v = t.visible()
      return t.symbol() === s && t.timespan() === k && t.status().chartPhase === 'synced' && bars.length > 0 && v !== null && v.to === bars[bars.length - 1].t && !t.scrolledBack()
    },
    [symbol, span],
  )

describe('terminal screen in Chromium', () => {
  let massive: MassiveServer
  let app: TerminalApp
  let browser: TestBrowser
  let page: Page
  let token = ''
  const password = 'correct horse battery'
  const errors: string[] = []

  const rest = async (path: string) => {
    const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    return res.json() as Promise<any>
  }

  /** REST's 15-minute bars of `ticker` from `from` to `to` (inclusive), a week per request, following next_cursor. */
  const rest15m = async (ticker: string, from: number, to: number) => {
    const out: WireBar[] = []
    const week = 7 * 86_400_000
    for (let start = from; start <= to; start += week) {
      let path = `/api/v1/market-data/bars?ticker=${ticker}&timespan=minute&multiplier=15&from=${start}&to=${Math.min(start + week - 1, to)}&limit=10000`
      for (;;) {
        const body = await rest(path)
        out.push(...body.results)
        if (!body.next_cursor) break
        path = `/api/v1/market-data/bars?cursor=${encodeURIComponent(body.next_cursor)}&limit=10000`
      }
    }
    return out
  }
  const withoutFinal = (bars: WireBar[]) => bars.map(({ final: _, ...b }: any) => b)

  const signUp = async (email: string) => {
    await page.waitForSelector('#auth-form')
    await page.fill('#auth-email', email)
    await page.fill('#auth-password', password)
    const login = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
    await page.click('#sign-up')
    token = ((await (await login).json()) as { token: string }).token
    await page.waitForSelector('#terminal:not([hidden])')
  }

  beforeAll(async () => {
    massive = createMassiveServer({ now: () => clock.now(), historyStartMs })
    app = await startTerminalApp(massiveAppEnv(massive), clock)
    browser = await launchBrowser({ width: 1366, height: 768 }, clock.now())
    page = browser.page
    page.on('pageerror', (e) => errors.push(String(e)))
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    await massive?.stop()
  })

  it('should find SPY by typing and add it from the suggestions', async () => {
    await page.goto(`${app.url}/terminal`)
    await signUp(`screen-${crypto.randomUUID().slice(0, 8)}@example.com`)
    for (const ticker of ['AAPL', 'MSFT']) {
      await page.fill('#add-ticker', ticker)
      await page.press('#add-ticker', 'Enter')
      await page.waitForSelector(`#watch-body tr[data-ticker="${ticker}"]`)
    }
    await page.click('#add-ticker')
    await page.keyboard.type('spdr s&p')
    await page.waitForSelector('#add-suggest li[data-ticker="SPY"]')
    expect(await page.textContent('#add-suggest li[data-ticker="SPY"]')).toContain('SPDR S&P 500 ETF Trust')
    await shot(page, 'search')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#watch-body tr[data-ticker="SPY"]')
    await waitFor(page, 'a price for SPY', () => (window as any).__terminal.rows().find((r: any) => r.ticker === 'SPY')?.last > 0, null)
    expect(await page.isHidden('#add-suggest')).toBe(true)
    expect((await rest('/api/v1/watchlist')).items.map((i: any) => i.ticker)).toContain('SPY')
  }, 90_000)

  it('should page older history to the start of the data, then open every symbol and timeframe at its latest bars', async () => {
    await page.click('#watch-body tr[data-ticker="AAPL"]')
    await page.click('#spans button[data-span="15m"]')
    await atLatest(page, 'AAPL', '15m')
    const firstLoad = (await terminal(page)).bars[0].t

    for (let i = 0; i < 60 && (await terminal(page)).older !== 'ended'; i++) {
      await dragBack(page)
      await waitFor(page, 'no page in flight', () => (window as any).__terminal.older() !== 'loading', null)
    }
    const paged = await terminal(page)
    expect(paged.older).toBe('ended')
    expect(paged.scrolledBack).toBe(true)
    expect(await page.isVisible('#chart-live')).toBe(true)
    expect(await page.isVisible('#chart-start')).toBe(true)
    expect(paged.bars[0].t).toBeLessThan(firstLoad)
    // What was paged in is what REST has for the same buckets, from the first bar of the data on.
    const older = paged.bars.filter((b) => b.t < firstLoad)
    const expected = await rest15m('AAPL', historyStartMs - 7 * 86_400_000, firstLoad - 1)
    expect(expected[0].t).toBeGreaterThanOrEqual(historyStartMs)
    expect(paged.bars[0].t).toBe(expected[0].t)
    expect(divergences(withoutFinal(older), withoutFinal(expected))).toEqual([])
    await shot(page, 'history-start')

    // From the start of the data, "Jump to live" comes back to the latest bars, and every closed bar
    // the chart holds (the paged history and the live end) is REST's.
    await page.click('#chart-live')
    await atLatest(page, 'AAPL', '15m')
    expect(await page.isHidden('#chart-live')).toBe(true)
    const live = await terminal(page)
    const bucket = 15 * 60_000
    // Buckets that ended a minute ago or more: closed, and final on both sides.
    const closedBefore = Math.floor(((await page.evaluate(() => Date.now())) - 60_000) / bucket) * bucket
    expect(live.bars.at(-1)!.t).toBeGreaterThanOrEqual(closedBefore)
    const closed = live.bars.filter((b) => b.t < closedBefore)
    const restClosed = await rest15m('AAPL', closed[0].t, closedBefore - 1)
    expect(closed[0].t).toBe(expected[0].t)
    expect(closed.length).toBeGreaterThan(older.length)
    expect(divergences(withoutFinal(closed), withoutFinal(restClosed))).toEqual([])
    await shot(page, 'back-to-live')

    // Scrolled back, another symbol opens at its latest bars (and so does another timeframe).
    await page.click('#watch-body tr[data-ticker="MSFT"]')
    await atLatest(page, 'MSFT', '15m')
    expect(await page.isHidden('#chart-live')).toBe(true)
    await dragBack(page, 700)
    await waitFor(page, 'MSFT scrolled back', () => (window as any).__terminal.scrolledBack(), null)
    await page.click('#spans button[data-span="1h"]')
    await atLatest(page, 'MSFT', '1h')
    await dragBack(page, 700)
    await waitFor(page, '"jump to live" offered', () => !document.querySelector<HTMLElement>('#chart-live')!.hidden, null)
    await page.click('#chart-live')
    await atLatest(page, 'MSFT', '1h')

    // The legend names the bar under the pointer.
    const box = (await page.locator('#chart').boundingBox())!
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4)
    await waitFor(page, 'the legend', () => /O [\d,.]+ {2}H [\d,.]+ {2}L [\d,.]+ {2}C [\d,.]+ {2}V [\d.]+[KMB]?/.test(document.querySelector('#chart-legend')!.textContent ?? ''), null)
    await shot(page, 'legend')
  }, 180_000)

  it('should sort the watchlist by a clicked header, both ways, and back to its own order', async () => {
    const order = () =>
      page.evaluate(() => {
        const rows = (window as any).__terminal.rows() as { ticker: string; change_pct: number | null }[]
        const dom = [...document.querySelectorAll<HTMLElement>('#watch-body tr')].map((tr) => tr.dataset.ticker!)
        return { dom, pct: Object.fromEntries(rows.map((r) => [r.ticker, r.change_pct])) as Record<string, number>, model: rows.map((r) => r.ticker) }
      })
    const sortedBy = (o: Awaited<ReturnType<typeof order>>, dir: number) =>
      [...o.dom].sort((a, b) => dir * (o.pct[a] - o.pct[b]) || a.localeCompare(b))
    // Rows are drawn on the next animation frame, and prices keep moving: wait for a frame sorted as asked.
    const sortedIn = (dir: number) =>
      waitFor(
        page,
        `rows sorted by change % (${dir})`,
        (d) => {
          const pct = Object.fromEntries(
            ((window as any).__terminal.rows() as { ticker: string; change_pct: number }[]).map((r) => [r.ticker, r.change_pct]),
          )
          const dom = [...document.querySelectorAll<HTMLElement>('#watch-body tr')].map((tr) => tr.dataset.ticker!)
          return dom.every((t, i) => i === 0 || d * (pct[t] - pct[dom[i - 1]]) >= 0)
        },
        dir,
        5_000,
      )
    await page.click('#watch-head th[data-sort="change_pct"] button')
    expect(await page.getAttribute('#watch-head th[data-sort="change_pct"]', 'aria-sort')).toBe('descending')
    await sortedIn(-1)
    await page.click('#watch-head th[data-sort="change_pct"] button')
    expect(await page.getAttribute('#watch-head th[data-sort="change_pct"]', 'aria-sort')).toBe('ascending')
    await sortedIn(1)
    let o = await order()
    expect(o.dom).toEqual(sortedBy(o, 1))
    await shot(page, 'sorted')
    await page.click('#watch-head th[data-sort="volume"] button')
    expect(await page.getAttribute('#watch-head th[data-sort="volume"]', 'aria-sort')).toBe('descending')
    const volumes = await page.$$eval('#watch-body td.volume', (tds) => tds.map((td) => td.textContent))
    expect(volumes.every((v) => v && v !== '—')).toBe(true)
  }, 60_000)

  it('should select a ticker and a timeframe with the keyboard only, with visible focus', async () => {
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('add-ticker')
    await page.keyboard.press('Escape')
    await page.keyboard.press('ArrowDown')
    const focused = () => page.evaluate(() => (document.activeElement as HTMLElement).closest('tr')?.dataset.ticker ?? null)
    const start = await focused()
    expect(start).not.toBeNull()
    const dom = await page.$$eval('#watch-body tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.ticker!))
    const step = dom.indexOf(start!) < dom.length - 1 ? 'ArrowDown' : 'ArrowUp'
    await page.keyboard.press(step)
    const target = await focused()
    expect(target).not.toBe(start)
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none')
    await page.keyboard.press('Enter')
    await page.keyboard.press('8')
    await atLatest(page, target!, '1w')
    expect(await page.getAttribute('#spans button[data-span="1w"]', 'class')).toContain('active')
    await shot(page, 'weekly')
    await page.keyboard.press('6')
    await atLatest(page, target!, '4h')
    await page.keyboard.press('3')
    await atLatest(page, target!, '15m')
    await shot(page, 'keyboard')
  }, 60_000)

  it('should show watchlist, chart and the options chain on a laptop screen, none scrolling sideways', async () => {
    // The widest row there is: a four-digit price (BKNG) with its day range and bid × ask.
    await page.fill('#add-ticker', 'BKNG')
    await page.press('#add-ticker', 'Enter')
    await waitFor(
      page,
      'BKNG with its price, range and quote shown',
      () => {
        const tr = document.querySelector('#watch-body tr[data-ticker="BKNG"]')
        return ['last', 'range', 'quote-col'].every((c) => /\d,\d{3}\.\d\d/.test(tr?.querySelector(`td.${c}`)?.textContent ?? ''))
      },
      null,
    )
    await page.click('#options-open')
    await page.waitForSelector('#options-table:not([hidden])', { timeout: 30_000 })
    const fits = await page.evaluate(() => {
      const box = (sel: string) => document.querySelector(sel)!.getBoundingClientRect()
      const [watch, chart, chain] = [box('.watch'), box('.chart-card'), box('#options .chain-wrap')]
      const fitsInside = (sel: string) => {
        const e = document.querySelector(sel)!
        return e.scrollWidth <= e.clientWidth
      }
      return {
        side: watch.right <= chart.left,
        chainVisible: chain.top < innerHeight - 60,
        noSideScroll: document.documentElement.scrollWidth <= innerWidth,
        watchTableFits: fitsInside('.watch-table') && fitsInside('.watch-scroll') && box('.watch-table').right <= watch.right,
        chainFits: fitsInside('#options .chain-wrap'),
        columns: document.querySelectorAll('#watch-body tr[data-ticker="BKNG"] td').length,
      }
    })
    expect(fits).toEqual({ side: true, chainVisible: true, noSideScroll: true, watchTableFits: true, chainFits: true, columns: 10 })
    await shot(page, 'laptop')
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1')
      await page.screenshot({ path: join(import.meta.dir, '../../docs/terminal.png') })
  }, 60_000)

  it('should restore the ticker, timeframe, sort and options panel after a reload, for that user only', async () => {
    const before = await terminal(page)
    await page.reload()
    await page.waitForSelector('#terminal:not([hidden])')
    await atLatest(page, before.symbol!, before.timespan)
    await page.waitForSelector('#options:not([hidden])')
    expect(await page.getAttribute('#watch-head th[data-sort="volume"]', 'aria-sort')).toBe('descending')
    await shot(page, 'restored')

    await page.click('#sign-out')
    await signUp(`screen-other-${crypto.randomUUID().slice(0, 8)}@example.com`)
    await page.fill('#add-ticker', 'NVDA')
    await page.press('#add-ticker', 'Enter')
    await atLatest(page, 'NVDA', '1m')
    expect(await page.isHidden('#options')).toBe(true)
  }, 90_000)

  it('should fit a phone screen in one column with no sideways scroll', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    for (const ticker of ['AAPL', 'SPY']) {
      await page.fill('#add-ticker', ticker)
      await page.press('#add-ticker', 'Enter')
      await page.waitForSelector(`#watch-body tr[data-ticker="${ticker}"]`)
    }
    await page.click('#options-open')
    await page.waitForSelector('#options-table:not([hidden])', { timeout: 30_000 })
    const layout = await page.evaluate(() => {
      const box = (sel: string) => document.querySelector(sel)!.getBoundingClientRect()
      const chain = document.querySelector('#options .chain-wrap')!
      return {
        noSideScroll: document.documentElement.scrollWidth <= innerWidth,
        oneColumn: box('.chart-card').top >= box('.watch').bottom,
        chainScrollsInside: chain.scrollWidth > chain.clientWidth && box('#options .chain-wrap').right <= innerWidth,
      }
    })
    expect(layout).toEqual({ noSideScroll: true, oneColumn: true, chainScrollsInside: true })
    await shot(page, 'phone')
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1')
      await page.screenshot({ path: join(import.meta.dir, '../../docs/terminal-phone.png') })
    await page.setViewportSize({ width: 1366, height: 768 })
    expect(errors).toEqual([])
  }, 90_000)
})
