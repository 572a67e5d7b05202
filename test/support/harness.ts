/** Test harness: configs and apps on PGlite and on the real PostgreSQL, plus small HTTP helpers. */
import { createApp, type App, type AppOverrides } from '../../src/app'
import { loadConfig, type Config } from '../../src/config'

export const testJwtSecret = 'test-secret-0123456789-abcdefghijklmnop'

/** The PostgreSQL every integration test uses: TEST_DATABASE_URL (CI makes a fresh database), else the local `test` database. */
export const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Both database engines every HTTP suite runs on. Never skipped: an unreachable PostgreSQL fails the run. */
export const engines: [name: 'pglite' | 'postgres', databaseUrl: string | null][] = [
  ['pglite', null],
  ['postgres', postgresUrl],
]

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: testJwtSecret,
    DATA_DIR: 'memory://',
    PORT: '0',
    HOST: '127.0.0.1',
    // The splits job's first pass runs at start: off unless a test asks (it would apply a split in effect to the shared database and add a provider request).
    SPLITS_INTERVAL_SECONDS: '0',
    ...env,
  })
}

export async function startApp(
  env: Record<string, string | undefined> = {},
  overrides: AppOverrides = {},
): Promise<App> {
  return createApp(testConfig(env), overrides)
}

export const uniqueEmail = (tag = 'u') => `${tag}-${crypto.randomUUID().slice(0, 12)}@example.com`

/** A small client over app.handle (no socket) that keeps a bearer token. */
export class Http {
  token: string | null = null
  constructor(private app: App) {}
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers }
    if (this.token) h.authorization = `Bearer ${this.token}`
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json'
    const res = await this.app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: h,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    )
    const text = await res.text()
    let json: any = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, headers: res.headers, json, text }
  }
  get = (path: string, headers?: Record<string, string>) => this.call('GET', path, undefined, headers)
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.call('POST', path, body, headers)
  delete = (path: string) => this.call('DELETE', path)

  /** Registers a fresh user, logs in, and keeps the token. */
  async signUp(email = uniqueEmail(), password = 'correct horse battery') {
    const reg = await this.post('/api/v1/auth/register', { email, password })
    if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`)
    const login = await this.post('/api/v1/auth/login', { email, password })
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`)
    this.token = login.json.token
    return { email, password, token: login.json.token as string, userId: login.json.user.id as number }
  }
}
