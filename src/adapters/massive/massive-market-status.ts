/** Massive REST adapter of the UpstreamMarketStatus port: /v1/marketstatus/now and /v1/marketstatus/upcoming (market-rules.md §2.3), as background calls. */

import type { Market } from '../../core/calendar'
import { UpstreamError } from '../../errors'
import type { ProviderHoliday, ProviderMarketNow, UpstreamMarketStatus } from '../../ports/upstream-market-status'
import type { MassiveHttpClient } from './http-client'

export const MARKET_STATUS_NOW_PATH = '/v1/marketstatus/now'
export const MARKET_STATUS_UPCOMING_PATH = '/v1/marketstatus/upcoming'

/** Every call spends the shared budget as `background`: it never takes the interactive reserve and never waits for a slot. */
export class MassiveMarketStatus implements UpstreamMarketStatus {
  constructor(private readonly http: MassiveHttpClient) {}

  async now(): Promise<ProviderMarketNow> {
    const { body } = await this.http.getJson(this.http.urlFor(MARKET_STATUS_NOW_PATH), { priority: 'background' })
    return this.http.checked(() => parseMarketNow(body))
  }

  async upcoming(): Promise<ProviderHoliday[]> {
    const { body } = await this.http.getJson(this.http.urlFor(MARKET_STATUS_UPCOMING_PATH), { priority: 'background' })
    return this.http.checked(() => parseUpcoming(body))
  }
}

/**
 * `now`: `market` open / closed / extended-hours (with `earlyHours` or `afterHours` saying which
 * side of the regular session); another value is reported as null (unknown). `serverTime` is
 * RFC 3339 with the New York offset.
 */
export function parseMarketNow(body: unknown): ProviderMarketNow {
  if (!isObject(body)) throw badShape('market status', 'body is not a JSON object')
  if (typeof body.market !== 'string') throw badShape('market status', '`market` is not a string')
  const serverTime = typeof body.serverTime === 'string' ? Date.parse(body.serverTime) : Number.NaN
  if (!Number.isFinite(serverTime)) throw badShape('market status', '`serverTime` is not an RFC 3339 time')
  return { market: marketOf(body.market, body.earlyHours === true, body.afterHours === true), serverTime }
}

function marketOf(market: string, earlyHours: boolean, afterHours: boolean): Market | null {
  if (market === 'open' || market === 'closed') return market
  if (market === 'extended-hours') return earlyHours && !afterHours ? 'pre' : afterHours && !earlyHours ? 'post' : null
  return null
}

/** `upcoming`: a bare array, one row per exchange and date; rows of an unknown status or without a date are skipped. */
export function parseUpcoming(body: unknown): ProviderHoliday[] {
  if (!Array.isArray(body)) throw badShape('upcoming market status', 'body is not a JSON array')
  const out: ProviderHoliday[] = []
  for (const row of body) {
    if (!isObject(row)) throw badShape('upcoming market status', 'a row is not an object')
    const status = row.status === 'closed' ? 'closed' : row.status === 'early-close' ? 'early_close' : null
    if (status === null || typeof row.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(row.date)) continue
    out.push({
      date: row.date,
      exchange: typeof row.exchange === 'string' ? row.exchange : '',
      name: typeof row.name === 'string' && row.name !== '' ? row.name : 'Market holiday',
      status,
      open: status === 'early_close' ? instant(row.open) : null,
      close: status === 'early_close' ? instant(row.close) : null,
    })
  }
  return out
}

function instant(value: unknown): number | null {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
  return Number.isFinite(ms) ? ms : null
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function badShape(what: string, detail: string): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive ${what} response has an unexpected shape: ${detail}`)
}
