/** Headless Debian Chromium for the page tests: a fresh profile, the page clock set to the app's, and a waitFor that screenshots on timeout. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Where page tests leave screenshots (kept by CI for a look after a failure). */
export const artifacts = join(import.meta.dir, '../../../test-artifacts')

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface TestBrowser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

/** Launches /usr/bin/chromium with a throwaway profile; the page's clock starts at `timeMs` (the app's clock). */
export async function launchBrowser(viewport: { width: number; height: number }, timeMs: number): Promise<TestBrowser> {
  mkdirSync(artifacts, { recursive: true })
  const userDir = mkdtempSync(join(tmpdir(), 'mw-chromium-'))
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    viewport,
    deviceScaleFactor: 1,
  })
  await context.clock.install({ time: timeMs })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(userDir, { recursive: true, force: true })
    },
  }
}

/**
 * Waits for `fn(arg)` to be truthy in the page (a function, not a string: the page's CSP forbids
 * eval); on timeout saves `<shotName>.png` in the artifacts and throws naming `what`.
 */
export async function waitFor<A>(
  page: Page,
  what: string,
  fn: (arg: A) => unknown,
  arg: A,
  { timeoutMs = 30_000, shotName = 'timeout' }: { timeoutMs?: number; shotName?: string } = {},
): Promise<void> {
  try {
    await page.waitForFunction(fn as (arg: unknown) => unknown, arg, { timeout: timeoutMs, polling: 100 })
  } catch (e) {
    await page.screenshot({ path: join(artifacts, `${shotName}.png`) }).catch(() => {})
    throw new Error(`timed out waiting for ${what}: ${e instanceof Error ? e.message.split('\n')[0] : e}`)
  }
}
