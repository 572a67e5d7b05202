/** REST bench process: the service (createApp) on PGlite or PostgreSQL, seeded with stored minute bars, plus the raw SQL loop for the same rows in the same process. */
import { createApp } from '../../src/app'
import { loadConfig } from '../../src/config'
import { reply, serveCommands } from '../lib/io'
import { universe } from '../lib/market'
import { summarize } from '../lib/stats'

const env = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>
const app = await createApp(
  loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    // The bench measures serving bars and snapshots flat out for one user: no per-user budget.
    RATE_LIMIT_MARKET_PER_MINUTE: '0',
    RATE_LIMIT_REST_PER_MINUTE: '0',
    ...env,
  }),
)
const { url } = await app.listen()
reply({ ready: true, url, database: app.db.kind })

/** The driver under drizzle: postgres-js `Sql` or a PGlite instance. */
const client = (app.db.db as unknown as { $client: any }).$client
const runRaw =
  app.db.kind === 'postgres'
    ? (text: string, params: unknown[]) => client.unsafe(text, params, { prepare: true }) as Promise<unknown[]>
    : async (text: string, params: unknown[]) => (await client.query(text, params)).rows as unknown[]

const barsSql = `select t, o, h, l, c, v, vw, n from bars where ticker = $1 and timespan = 'minute' and t >= $2 and t < $3 order by t`
const lastPricesSql = `select s.ticker, b.c, b.t from unnest($1::text[]) as s(ticker)
  cross join lateral (select c, t from bars where bars.ticker = s.ticker and timespan = 'minute' order by t desc limit 1) b`

let barsParams: unknown[] = []
let snapParams: unknown[] = []

async function call(path: string, init: RequestInit = {}, token?: string) {
  const headers = new Headers(init.headers)
  headers.set('content-type', 'application/json')
  if (token) headers.set('authorization', `Bearer ${token}`)
  const res = await fetch(`${url}${path}`, { ...init, headers })
  return { status: res.status, json: (await res.json()) as any }
}

/** A past weekday, at least three days back: its minute bars are final and get stored. */
function tradingDay(): string {
  const d = new Date(Date.now() - 3 * 86_400_000)
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

async function seed(tickers: number) {
  const email = `rest-${Date.now().toString(36)}@example.com`
  const password = 'bench password 0123'
  await call('/api/v1/auth/register', { method: 'POST', body: JSON.stringify({ email, password }) })
  const login = await call('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) })
  const token = login.json.token as string
  const day = tradingDay()
  const names = universe.slice(0, tickers)
  const t0 = performance.now()
  let first: any = null
  for (const t of names) {
    const r = await call(
      `/api/v1/market-data/bars?ticker=${t}&timespan=minute&from=${day}&to=${day}&limit=5000`,
      {},
      token,
    )
    if (r.status !== 200) throw new Error(`seeding ${t}: ${r.status} ${JSON.stringify(r.json)}`)
    first ??= r.json
  }
  const bars = first.results as { t: number }[]
  barsParams = [names[0], bars[0]!.t, bars[bars.length - 1]!.t + 1]
  snapParams = [names]
  const rows = await runRaw(barsSql, barsParams)
  const last = await runRaw(lastPricesSql, snapParams)
  return {
    token,
    day,
    barsPath: `/api/v1/market-data/bars?ticker=${names[0]}&timespan=minute&from=${day}&to=${day}&limit=5000`,
    snapshotsPath: `/api/v1/market-data/snapshots?tickers=${names.join(',')}`,
    httpRows: bars.length,
    rawRows: rows.length,
    rawLastPrices: last.length,
    seedMs: Math.round(performance.now() - t0),
  }
}

/** `concurrency` loops running the raw query back to back for `durationMs`. */
async function raw(which: 'bars' | 'snapshots', concurrency: number, durationMs: number) {
  const [text, params] = which === 'bars' ? [barsSql, barsParams] : [lastPricesSql, snapParams]
  const lat: number[] = []
  const end = performance.now() + durationMs
  const t0 = performance.now()
  const loop = async () => {
    while (performance.now() < end) {
      const a = performance.now()
      await runRaw(text, params)
      lat.push(performance.now() - a)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const sec = (performance.now() - t0) / 1000
  return { requests: lat.length, rps: Math.round(lat.length / sec), ...summarize(lat) }
}

await serveCommands(
  (m) => {
    if (m.cmd === 'seed') return seed(m.tickers ?? 50)
    if (m.cmd === 'raw') return raw(m.which, m.concurrency, m.durationMs)
    throw new Error(`unknown command ${m.cmd}`)
  },
  { onExit: () => void app.stop() },
)
