/** Thin REST shell over an injected fetch: auth (with refresh), watchlist, bars (following next_cursor), snapshots, market status and options; failures throw ApiError. */
import type {
  BarsPage,
  MarketStatus,
  OptionChain,
  OptionContract,
  OptionExpirations,
  RestError,
  Session,
  SnapshotsAnswer,
  TickerSearch,
  User,
  Watchlist,
  WireBar,
} from './wire'

/** A failed call: the server's error code (or NETWORK_ERROR / BAD_RESPONSE), HTTP status (0 for network) and Retry-After. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryAfterMs: number | null = null,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'ApiError'
  }
  /** 401s: the session is gone (sign in again). */
  get isAuth(): boolean {
    return this.status === 401
  }
}

/** The part of fetch the client uses (window.fetch and Bun's fetch both fit). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export interface RestApiOptions {
  /** Origin of the API, e.g. http://127.0.0.1:3000; '' for same-origin (browser). */
  baseUrl: string
  fetch: FetchLike
  /** Bearer token, or null to rely on the HttpOnly session cookie (browser). */
  token: () => string | null
  /** Local clock (Unix ms), to time the requests whose `Date` goes to `serverDate`. */
  now?: () => number
  /** Each response's `Date` header, with the request's local send and receive times (for the server-clock estimate). */
  serverDate?: (date: string, sentAt: number, receivedAt: number) => void
}

export interface BarsQuery {
  ticker: string
  timespan: string
  multiplier?: number
  /** Unix ms (inclusive, snapped to the bucket start). */
  from: number
  /** Unix ms, inclusive; default now. */
  to?: number
}

export interface OptionChainQuery {
  underlying: string
  /** YYYY-MM-DD, one of the listed expirations. */
  expiration: string
  contract_type?: 'call' | 'put'
  strike_gte?: number
  strike_lte?: number
}

export type RestApi = ReturnType<typeof createRestApi>

/** Bars per page asked for when following cursors. */
const pageLimit = 5000

export function createRestApi(o: RestApiOptions) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    const token = o.token()
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    const sentAt = o.now?.() ?? 0
    try {
      res = await o.fetch(o.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      })
    } catch (e) {
      throw new ApiError(
        'NETWORK_ERROR',
        `the server could not be reached (${e instanceof Error ? e.message : String(e)})`,
        0,
      )
    }
    const date = res.headers.get('date')
    if (date && o.now && o.serverDate) o.serverDate(date, sentAt, o.now())
    const text = await res.text().catch(() => '')
    let json: any = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {}
    if (res.ok) return json as T
    const err: RestError | undefined = json?.error
    const retryAfter = Number(res.headers.get('retry-after'))
    throw new ApiError(
      err?.code ?? (res.status >= 500 ? 'SERVER_ERROR' : 'BAD_RESPONSE'),
      err?.message ?? `HTTP ${res.status}`,
      res.status,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
      err?.details,
    )
  }

  return {
    register: (email: string, password: string) =>
      call<{ user: User }>('POST', '/api/v1/auth/register', { email, password }),
    login: (email: string, password: string) => call<Session>('POST', '/api/v1/auth/login', { email, password }),
    /** A new token of the current session (bearer when one is held, else the cookie, which the answer also renews). */
    refresh: () => call<Session>('POST', '/api/v1/auth/refresh'),
    logout: () => call<unknown>('POST', '/api/v1/auth/logout'),
    me: () => call<{ user: User }>('GET', '/api/v1/auth/me'),
    watchlist: () => call<Watchlist>('GET', '/api/v1/watchlist'),
    addToWatchlist: (ticker: string) => call<Watchlist>('POST', '/api/v1/watchlist', { ticker }),
    removeFromWatchlist: (ticker: string) =>
      call<Watchlist>('DELETE', `/api/v1/watchlist/${encodeURIComponent(ticker)}`),
    snapshots: (tickers: readonly string[]) =>
      call<SnapshotsAnswer>(
        'GET',
        `/api/v1/market-data/snapshots?tickers=${tickers.map(encodeURIComponent).join(',')}`,
      ),
    marketStatus: () => call<MarketStatus>('GET', '/api/v1/market-data/market-status'),
    /** Symbol search (ticker or company name), best match first. */
    searchTickers: (text: string, limit = 10) =>
      call<TickerSearch>(
        'GET',
        `/api/v1/reference/tickers?${new URLSearchParams({ search: text, limit: String(limit) })}`,
      ),
    optionExpirations: (underlying: string) =>
      call<OptionExpirations>('GET', `/api/v1/options/expirations?underlying=${encodeURIComponent(underlying)}`),
    optionChain(q: OptionChainQuery) {
      const params = new URLSearchParams({ underlying: q.underlying, expiration: q.expiration })
      if (q.contract_type) params.set('contract_type', q.contract_type)
      if (q.strike_gte !== undefined) params.set('strike_gte', String(q.strike_gte))
      if (q.strike_lte !== undefined) params.set('strike_lte', String(q.strike_lte))
      return call<OptionChain>('GET', `/api/v1/options/chain?${params}`)
    },
    /** One contract, e.g. O:AAPL250321C00215000. */
    optionContract: (ticker: string) =>
      call<OptionContract>('GET', `/api/v1/options/contracts/${encodeURIComponent(ticker)}`),
    /** Every bar of the range, following next_cursor to the end. */
    async bars(q: BarsQuery): Promise<WireBar[]> {
      const params = new URLSearchParams({
        ticker: q.ticker,
        timespan: q.timespan,
        multiplier: String(q.multiplier ?? 1),
        from: String(Math.floor(q.from)),
        limit: String(pageLimit),
      })
      if (q.to !== undefined) params.set('to', String(Math.floor(q.to)))
      const out: WireBar[] = []
      let path = `/api/v1/market-data/bars?${params}`
      for (let page = 0; page < 1000; page++) {
        const body = await call<BarsPage>('GET', path)
        out.push(...body.results)
        if (!body.next_cursor) return out
        path = `/api/v1/market-data/bars?cursor=${encodeURIComponent(body.next_cursor)}&limit=${pageLimit}`
      }
      throw new ApiError('BAD_RESPONSE', 'bars paging did not end', 0)
    },
  }
}
