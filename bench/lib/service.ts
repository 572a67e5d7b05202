/** The service as the bench runs it: `bun src/main.ts` (or the binary) in a child process, plus users with full watchlists over its REST API. */
import { connectWire } from '../load/ws-wire'
import { Child } from './child'

export const benchSecret = 'bench-jwt-secret-0123456789-abcdefghijklmnop'

export interface RunningService {
  child: Child
  port: number
  url: string
}

/** `bun --cpu-prof-md` flags when the bench runs with --profile (BENCH_PROFILE_DIR): a Markdown CPU profile per process, written at exit (BENCH_PROFILE_JSON=1: a .cpuprofile with sample times instead, to look at one window of it). */
export function profileFlags(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR
  return dir ? [process.env.BENCH_PROFILE_JSON ? '--cpu-prof' : '--cpu-prof-md', `--cpu-prof-dir=${dir}`] : []
}

/** Starts the service with `env` on 127.0.0.1 and an ephemeral port; resolves when it logs `listening`. */
export async function startService(
  env: Record<string, string>,
  cmd = ['bun', ...profileFlags(), 'src/main.ts'],
): Promise<RunningService> {
  const child = new Child('service', cmd, {
    env: { NODE_ENV: 'production', JWT_SECRET: benchSecret, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
  })
  const line = await child.next((m) => m.msg === 'listening', 60_000)
  const url = String(line.url)
  return { child, port: Number(new URL(url).port), url }
}

async function call(
  url: string,
  method: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  let json: any = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: res.status, json }
}

/** Registers `users` accounts, logs each in, puts `tickers(u)` on user u's watchlist; returns their tokens. */
export async function provisionUsers(
  base: string,
  users: number,
  tickers: (user: number) => string[],
  tag = 'bench',
): Promise<string[]> {
  const run = `${tag}-${Date.now().toString(36)}`
  const tokens = await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      const email = `${run}-${i}@example.com`
      const password = 'bench password 0123'
      const reg = await call(`${base}/api/v1/auth/register`, 'POST', { email, password })
      if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.json)}`)
      const login = await call(`${base}/api/v1/auth/login`, 'POST', { email, password })
      if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.json)}`)
      return login.json.token as string
    }),
  )
  const jobs = tokens.flatMap((token, u) => tickers(u).map((ticker) => ({ token, ticker })))
  let next = 0
  const worker = async () => {
    while (next < jobs.length) {
      const { token, ticker } = jobs[next++]!
      const r = await call(`${base}/api/v1/watchlist`, 'POST', { ticker }, token)
      if (r.status !== 200 && r.status !== 201)
        throw new Error(`watchlist add ${ticker}: ${r.status} ${JSON.stringify(r.json)}`)
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return tokens
}

/** True when the service serves the WebSocket stream route: an upgrade with a bad token is refused or closed, not answered 404. */
export async function hasStream(base: string): Promise<boolean> {
  const url = new URL(base)
  const outcome = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), 5000)
    const done = (why: string) => {
      clearTimeout(timer)
      resolve(why)
    }
    void connectWire(
      { host: url.hostname, port: Number(url.port), path: '/api/v1/market-data/stream?token=bench-probe' },
      null,
      {
        open: () => {},
        message: () => {},
        close: (_c, code, reason) => done(`${code} ${reason}`),
      },
    )
  })
  return !/^0 HTTP\/1\.1 404/.test(outcome)
}
