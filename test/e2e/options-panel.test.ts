/** The /terminal options panel in Debian Chromium: pick an expiration, match the chain table to REST, open a contract, stop polling on close. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { chainRefreshMs, nearestStrike, sideCells, sideColumns, strikeText } from '../../src/client/options-chain'
import type { OptionChain, OptionContract, OptionExpirations } from '../../src/client/wire'
import { createScaledClock } from '../support/scaled-clock'
import { artifacts, launchBrowser, waitFor as waitForPage, type TestBrowser } from './support/browser'
import { startTerminalApp, type TerminalApp } from './support/terminal-app'

/** Real speed in a busy session: a Wednesday 10:40:45 in New York; the browser's clock is set to match. */
const clock = createScaledClock(1, Date.UTC(2025, 2, 12, 14, 40, 45))
const waitFor = <A>(page: Page, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 20_000) =>
  waitForPage(page, what, fn, arg, { timeoutMs, shotName: 'options-timeout' })

const isChainRequest = (r: { url(): string }) => r.url().includes('/api/v1/options/chain')

/** Moves the page's clock one poll interval and resolves with the chain that poll answered. */
async function pollNow(page: Page): Promise<OptionChain> {
  const answered = page.waitForResponse(isChainRequest, { timeout: 10_000 })
  await page.clock.runFor(chainRefreshMs)
  return (await (await answered).json()) as OptionChain
}

/**
 * Once the page's request for a probe is seen, every request the page made before it has been seen
 * too (one renderer, one network stack, events in order): a positive barrier for "no chain request".
 */
async function requestBarrier(page: Page): Promise<void> {
  const probe = page.waitForRequest((r) => r.url().endsWith('/healthz'), { timeout: 10_000 })
  await page.evaluate(() => void fetch('/healthz'))
  await probe
}

/** What the table shows: its chain's time and price, and each row's cells by side. */
interface Shown {
  updatedAt: string
  price: number | null
  rows: { strike: string; call: string[]; put: string[]; callItm: boolean[]; putItm: boolean[] }[]
}
const shown = (page: Page): Promise<Shown> =>
  page.evaluate(() => {
    const table = document.getElementById('options-table')!
    const cells = (tr: Element, side: string) => [...tr.querySelectorAll<HTMLElement>(`td.${side}`)]
    return {
      updatedAt: table.dataset.updatedAt ?? '',
      price: table.dataset.price ? Number(table.dataset.price) : null,
      rows: [...table.querySelectorAll('tbody tr')].map((tr) => ({
        strike: tr.querySelector('th.strike')!.textContent ?? '',
        // Calls are drawn mirrored (delta … bid | strike); read them back in the puts' order.
        call: cells(tr, 'call')
          .map((c) => c.textContent ?? '')
          .reverse(),
        put: cells(tr, 'put').map((c) => c.textContent ?? ''),
        callItm: cells(tr, 'call').map((c) => c.classList.contains('itm')),
        putItm: cells(tr, 'put').map((c) => c.classList.contains('itm')),
      })),
    }
  })

describe('options panel in Chromium', () => {
  let app: TerminalApp
  let page: Page
  let browser: TestBrowser
  const email = `opt-${crypto.randomUUID().slice(0, 8)}@example.com`
  const password = 'correct horse battery'

  beforeAll(async () => {
    app = await startTerminalApp({}, clock)
    browser = await launchBrowser({ width: 1440, height: 1300 }, clock.now())
    page = browser.page
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('should show the chain of a picked expiration as REST serves it, open a contract, and stop polling when closed', async () => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    const chainRequests: string[] = []
    page.on('request', (r) => {
      if (isChainRequest(r)) chainRequests.push(r.url())
    })
    await page.goto(`${app.url}/terminal`)
    await page.fill('#auth-email', email)
    await page.fill('#auth-password', password)
    const pageLogin = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
    await page.click('#sign-up')
    const token = ((await (await pageLogin).json()) as { token: string }).token
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } })
      expect(res.status).toBe(200)
      return (await res.json()) as T
    }
    await page.waitForSelector('#terminal:not([hidden])')
    await page.fill('#add-ticker', 'AAPL')
    await page.click('#add-form button')
    await page.click('#watch-body tr[data-ticker="AAPL"] td.ticker')
    await page.waitForSelector('#options-open:not([disabled])')

    // Open: the expirations, nearest first, with days to expiry and kind.
    await page.click('#options-open')
    await page.waitForSelector('#options:not([hidden])')
    const listed = await get<OptionExpirations>('/api/v1/options/expirations?underlying=AAPL')
    await waitFor(page, 'expirations', () => document.querySelectorAll('#options-expiration option').length > 1, null)
    const labels = await page.$$eval('#options-expiration option', (os) => os.map((o) => o.textContent ?? ''))
    expect(labels.length).toBe(listed.expirations.length)
    expect(labels[1]).toContain(`${listed.expirations[1].days_to_expiry} d · ${listed.expirations[1].kind}`)
    expect(await page.getAttribute('#options-expiration', 'id')).toBe('options-expiration')
    expect(await page.textContent('label:has(#options-expiration)')).toContain('Expiration')

    // Pick the second expiration.
    const expiration = listed.expirations[1].date
    await page.selectOption('#options-expiration', expiration)
    await waitFor(
      page,
      'the second expiration’s chain',
      (date) => document.getElementById('options-table')!.dataset.expiration === date,
      expiration,
    )
    const heads = await page.$$eval('#options-table thead tr:first-child th', (ths) => ths.map((t) => t.textContent))
    expect(heads.map((h) => h?.trim())).toEqual(['Calls', '', 'Puts'])

    // The table equals REST for the same expiration: compare against a fresh fetch of the chain the page shows.
    const path = `/api/v1/options/chain?underlying=AAPL&expiration=${expiration}`
    let view: Shown = await shown(page)
    let rest: OptionChain = await get<OptionChain>(path)
    for (let i = 0; i < 20 && rest.updated_at !== view.updatedAt; i++) {
      // The chain moved on between the two reads: have the panel poll now (its clock) and compare again once it drew the answer.
      const polled = await pollNow(page)
      await waitFor(page, 'the polled chain drawn', (u) => document.getElementById('options-table')!.dataset.updatedAt === u, polled.updated_at)
      view = await shown(page)
      rest = await get<OptionChain>(path)
    }
    expect(view.updatedAt).toBe(rest.updated_at)
    expect(view.price).toBe(rest.underlying_price)
    const price = rest.underlying_price!
    const atm = nearestStrike(rest.strikes, price)!
    const atmRow = view.rows.findIndex((r) => r.strike === strikeText(atm))
    expect(atmRow).toBeGreaterThanOrEqual(0)
    expect(view.rows.length).toBe(20)
    for (const row of view.rows.slice(Math.max(0, atmRow - 3), atmRow + 4)) {
      const strike = rest.strikes.find((s) => strikeText(s.strike) === row.strike)!
      expect(row.call).toEqual(sideColumns.map((c) => sideCells(strike.call)[c]))
      expect(row.put).toEqual(sideColumns.map((c) => sideCells(strike.put)[c]))
    }
    // ITM shading: calls below the price, puts above it, every cell of the side.
    for (const row of view.rows) {
      const strike = Number(row.strike.replace(/,/g, ''))
      expect(row.callItm.every((v) => v === strike < price)).toBe(true)
      expect(row.putItm.every((v) => v === strike > price)).toBe(true)
    }
    expect(view.rows.some((r) => r.callItm[0])).toBe(true)
    expect(view.rows.some((r) => r.putItm[0])).toBe(true)
    expect(await page.textContent('#options-updated')).toContain('source simulated')

    // All strikes, then back to the window.
    await page.check('#options-all')
    expect(await page.locator('#options-body tr').count()).toBe(rest.strikes.length)
    await page.uncheck('#options-all')
    expect(await page.locator('#options-body tr').count()).toBe(20)

    // A contract's details: the ATM call.
    const call = rest.strikes.find((s) => s.strike === atm)!.call!
    await page.click(`#options-body tr[data-strike="${atm}"] td.call.last`)
    await waitFor(
      page,
      'the contract details',
      (t) => document.getElementById('contract-facts')!.dataset.ticker === t,
      call.ticker,
    )
    const contract = await get<OptionContract>(`/api/v1/options/contracts/${encodeURIComponent(call.ticker)}`)
    const facts = await page.$$eval('#contract-facts dd', (dds) =>
      Object.fromEntries(dds.map((d) => [d.getAttribute('data-label'), d.textContent])),
    )
    expect(await page.textContent('#contract-title')).toBe(call.ticker)
    expect(facts['Strike']).toBe(atm.toFixed(2))
    expect(facts['Days to expiry']).toBe(`${contract.details.days_to_expiry} d`)
    expect(facts['Expiration']).toContain(String(Number(expiration.slice(8))))
    for (const label of ['Bid × size', 'IV', 'Delta', 'Break-even', 'Open interest', 'Last trade'])
      expect(facts[label]).not.toBe('—')

    await page.screenshot({ path: join(artifacts, 'options-chain.png') })

    // Polling while open, nothing once closed: the panel's clock moved, two polls' worth.
    const before = chainRequests.length
    for (let i = 0; i < 2; i++) await pollNow(page)
    expect(chainRequests.length - before).toBeGreaterThanOrEqual(2)
    await page.click('#options-close')
    expect(await page.isHidden('#options')).toBe(true)
    await requestBarrier(page)
    const atClose = chainRequests.length
    await page.clock.runFor(7_000)
    await requestBarrier(page)
    expect(chainRequests.length).toBe(atClose)

    // Hidden page: reopen, hide, and no request until visible again.
    await page.click('#options-open')
    await waitFor(page, 'reopened chain', () => document.querySelectorAll('#options-body tr').length > 0, null)
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await requestBarrier(page)
    const atHide = chainRequests.length
    await page.clock.runFor(7_000)
    await requestBarrier(page)
    expect(chainRequests.length).toBe(atHide)
    const pollAgain = page.waitForRequest(isChainRequest, { timeout: 10_000 })
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await pollAgain
    expect(chainRequests.length).toBeGreaterThan(atHide)

    // Errors are told, not a blank panel: an unknown expiration.
    const badDate = '2031-01-02'
    await page.evaluate((d) => {
      const select = document.getElementById('options-expiration') as HTMLSelectElement
      select.append(new Option(d, d))
      select.value = d
      select.dispatchEvent(new Event('change'))
    }, badDate)
    await waitFor(
      page,
      'the EXPIRATION_NOT_FOUND message',
      () => /lists no options expiring/.test(document.getElementById('options-message')!.textContent ?? ''),
      null,
    )
    expect(await page.isVisible('#options-message')).toBe(true)
    console.log('options-e2e', JSON.stringify({ chainRequests: chainRequests.length, pageErrors: errors }))
    expect(errors).toEqual([])
  }, 120_000)
})
