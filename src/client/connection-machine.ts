/** Pure connection state machine of the stream client: states, transitions, reconnect backoff and the silence watchdog. */
import { backoff } from '../core/backoff'
import { closeName } from '../contract/protocol'
import { closeDisposition } from './wire'

/**
 * - 'connecting': first connection attempt; 'live': welcomed and streaming;
 * - 'reconnecting': the stream dropped and retries run with backoff;
 * - 'polling': the stream has been down longer than `pollingAfterMs`: REST polling, retries go on;
 * - 'offline': polling, but the polls fail too (no network): retries and polls go on;
 * - 'signed_out': 4500/4501/4502: no retries until the user signs in again;
 * - 'over_quota': 4504 (too many connections): REST polling, no retries until asked;
 * - 'degraded': the stream is up but a backfill failed, or the server refused the stream (4503/4505): REST polling, said so.
 */
export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'live'
  | 'reconnecting'
  | 'polling'
  | 'offline'
  | 'signed_out'
  | 'over_quota'
  | 'degraded'
  | 'stopped'

export interface Reason {
  code: string
  message: string
}

export interface Machine {
  state: ConnectionState
  /** Failed attempts since the last welcome (drives the backoff). */
  attempt: number
  /** When the stream was lost (null while up). */
  downSince: number | null
  /** From `welcome`; null before the first one. */
  heartbeatMs: number | null
  /** From `welcome` (`keepalive_ms`): the server sends something at least this often; null from servers that do not say. */
  keepaliveMs: number | null
  /** True between `welcome` and the socket's close. */
  streamUp: boolean
  /** A backfill failed and none has succeeded since. */
  backfillFailing: boolean
  reason: Reason | null
}

export type MachineEvent =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'welcome'; heartbeatMs: number; keepaliveMs?: number | null }
  | { type: 'closed'; code: number; error?: Reason }
  | { type: 'silent' }
  /** The browser went offline (the socket may look open for minutes): lost at once. */
  | { type: 'offline' }
  | { type: 'poll_failed' }
  | { type: 'poll_ok' }
  | { type: 'retry_due' }
  | { type: 'outage_long' }
  | { type: 'backfill_failed'; message: string }
  | { type: 'backfill_ok' }
  | { type: 'online' }
  | { type: 'auth_lost'; reason: Reason }

export type TimerName = 'retry' | 'outage' | 'watchdog'
export type MachineCommand =
  | { type: 'open_socket' }
  | { type: 'close_socket'; reason: string }
  | { type: 'set_timer'; timer: TimerName; ms: number }
  | { type: 'clear_timer'; timer: TimerName }

export interface MachineOptions {
  /** Stream down this long → REST polling. @default 10_000 */
  pollingAfterMs: number
  /** First retry's ceiling. @default 500 */
  backoffBaseMs: number
  /** Every retry's ceiling. @default 20_000 */
  backoffMaxMs: number
  /** No welcome within this after opening → give up on the attempt. @default 10_000 */
  connectTimeoutMs: number
  /** Silence longer than this many heartbeat intervals → reconnect (servers that announce no keepalive). @default 2.5 */
  watchdogFactor: number
  /** Silence longer than this many keepalive intervals → reconnect: 2.75 × 2 s = 5.5 s, within 6 s of the last byte. @default 2.75 */
  keepaliveFactor: number
}

export const defaultMachineOptions: MachineOptions = {
  pollingAfterMs: 10_000,
  backoffBaseMs: 500,
  backoffMaxMs: 20_000,
  connectTimeoutMs: 10_000,
  watchdogFactor: 2.5,
  keepaliveFactor: 2.75,
}

export const initialMachine: Machine = {
  state: 'idle',
  attempt: 0,
  downSince: null,
  heartbeatMs: null,
  keepaliveMs: null,
  streamUp: false,
  backfillFailing: false,
  reason: null,
}

/** The client's reconnect and refresh retries: core backoff with full jitter from 0, uniform in [0, min(maxMs, baseMs × 2^attempt)]. */
export function reconnectDelay(attempt: number, random: () => number, baseMs: number, maxMs: number): number {
  return backoff(attempt, random, { baseMs, maxMs, minMs: 0 })
}

/** How long silence may last: before `welcome` the connect timeout, after it factor × keepalive (or × heartbeat from older servers). */
export function silenceLimitMs(m: Machine, o: MachineOptions): number {
  if (m.keepaliveMs !== null) return Math.ceil(m.keepaliveMs * o.keepaliveFactor)
  return m.heartbeatMs === null ? o.connectTimeoutMs : Math.ceil(m.heartbeatMs * o.watchdogFactor)
}

/** The watchdog's check: expired, or how long until it should look again. */
export function watchdogVerdict(
  lastHeardAt: number,
  now: number,
  limitMs: number,
): { expired: true } | { expired: false; recheckInMs: number } {
  const left = lastHeardAt + limitMs - now
  return left <= 0 ? { expired: true } : { expired: false, recheckInMs: left }
}

/** True in the states where the client fetches snapshots and bars over REST on a timer. */
export const isPollingState = (s: ConnectionState) =>
  s === 'polling' || s === 'offline' || s === 'over_quota' || s === 'degraded'

/** True while the stream is down and being retried (the browser's `online` retries at once). */
const isRetrying = (s: ConnectionState) => s === 'reconnecting' || s === 'polling' || s === 'offline'

/** True while the machine wants a socket (open or being retried). */
const wantsStream = (s: ConnectionState) =>
  s === 'connecting' || s === 'live' || isRetrying(s) || s === 'degraded'

type Result = { machine: Machine; commands: MachineCommand[] }

const clearAll: MachineCommand[] = [
  { type: 'clear_timer', timer: 'retry' },
  { type: 'clear_timer', timer: 'outage' },
  { type: 'clear_timer', timer: 'watchdog' },
]

function describeClose(code: number, error?: Reason): Reason {
  if (error) return error
  const name = closeName(code)
  return { code: name, message: code === 1006 ? 'the connection dropped' : `the stream closed (${code})` }
}

/** The next machine and the commands the shell must run, for one event at time `now`. */
export function transition(
  m: Machine,
  e: MachineEvent,
  now: number,
  random: () => number,
  o: MachineOptions = defaultMachineOptions,
): Result {
  const open: MachineCommand[] = [
    { type: 'open_socket' },
    { type: 'set_timer', timer: 'watchdog', ms: o.connectTimeoutMs },
  ]
  switch (e.type) {
    case 'start':
      // A running stream is left alone; a stopped, signed-out, over-quota or refused one starts over.
      if (wantsStream(m.state) && !(m.state === 'degraded' && !m.streamUp)) return { machine: m, commands: [] }
      return { machine: { ...initialMachine, state: 'connecting' }, commands: [...clearAll, ...open] }
    case 'stop':
      return {
        machine: { ...m, state: 'stopped', streamUp: false },
        commands: [...clearAll, { type: 'close_socket', reason: 'stopped' }],
      }
    case 'welcome': {
      if (!wantsStream(m.state)) return { machine: m, commands: [] }
      const next: Machine = {
        ...m,
        state: 'live',
        attempt: 0,
        downSince: null,
        heartbeatMs: e.heartbeatMs,
        keepaliveMs: e.keepaliveMs ?? null,
        streamUp: true,
        backfillFailing: false,
        reason: null,
      }
      return {
        machine: next,
        commands: [
          { type: 'clear_timer', timer: 'retry' },
          { type: 'clear_timer', timer: 'outage' },
          { type: 'set_timer', timer: 'watchdog', ms: silenceLimitMs(next, o) },
        ],
      }
    }
    case 'closed':
      return onStreamLost(m, e.code, describeClose(e.code, e.error), now, random, o, [])
    case 'silent':
    case 'offline': {
      // Offline without a stream (retrying, refused) changes nothing: the next attempt fails on its own.
      if (!wantsStream(m.state) || (e.type === 'offline' && !m.streamUp && m.state !== 'connecting'))
        return { machine: m, commands: [] }
      const reason =
        e.type === 'silent'
          ? { code: 'NO_HEARTBEAT', message: 'nothing heard from the server in time' }
          : { code: 'OFFLINE', message: 'the browser is offline' }
      return onStreamLost(m, 1006, reason, now, random, o, [{ type: 'close_socket', reason: e.type }])
    }
    case 'poll_failed':
      return m.state === 'polling' ? { machine: { ...m, state: 'offline' }, commands: [] } : { machine: m, commands: [] }
    case 'poll_ok':
      return m.state === 'offline' ? { machine: { ...m, state: 'polling' }, commands: [] } : { machine: m, commands: [] }
    case 'retry_due':
      if (!isRetrying(m.state)) return { machine: m, commands: [] }
      return { machine: m, commands: open }
    case 'online':
      if (!isRetrying(m.state)) return { machine: m, commands: [] }
      return { machine: m, commands: [{ type: 'clear_timer', timer: 'retry' }, ...open] }
    case 'outage_long':
      return m.state === 'reconnecting'
        ? { machine: { ...m, state: 'polling' }, commands: [] }
        : { machine: m, commands: [] }
    case 'backfill_failed': {
      const reason = { code: 'BACKFILL_FAILED', message: e.message }
      const state = m.state === 'live' ? 'degraded' : m.state
      return {
        machine: { ...m, state, backfillFailing: true, reason: state === 'degraded' ? reason : m.reason },
        commands: [],
      }
    }
    case 'auth_lost':
      return {
        machine: { ...m, state: 'signed_out', streamUp: false, reason: e.reason },
        commands: [...clearAll, { type: 'close_socket', reason: 'signed out' }],
      }
    case 'backfill_ok':
      if (m.state === 'degraded' && m.streamUp)
        return { machine: { ...m, state: 'live', backfillFailing: false, reason: null }, commands: [] }
      return { machine: { ...m, backfillFailing: false }, commands: [] }
  }
}

function onStreamLost(
  m: Machine,
  code: number,
  reason: Reason,
  now: number,
  random: () => number,
  o: MachineOptions,
  first: MachineCommand[],
): Result {
  if (!wantsStream(m.state)) return { machine: m, commands: [] }
  const base = { ...m, streamUp: false, reason }
  switch (closeDisposition(code)) {
    case 'signed_out':
      return { machine: { ...base, state: 'signed_out' }, commands: [...first, ...clearAll] }
    case 'over_quota':
      return { machine: { ...base, state: 'over_quota' }, commands: [...first, ...clearAll] }
    case 'refused':
      return { machine: { ...base, state: 'degraded', backfillFailing: false }, commands: [...first, ...clearAll] }
  }
  const downSince = m.downSince ?? now
  const longDown = now - downSince >= o.pollingAfterMs
  const state: ConnectionState = m.state === 'offline' ? 'offline' : longDown || m.state === 'polling' ? 'polling' : 'reconnecting'
  const commands: MachineCommand[] = [
    ...first,
    { type: 'clear_timer', timer: 'watchdog' },
    { type: 'set_timer', timer: 'retry', ms: reconnectDelay(m.attempt, random, o.backoffBaseMs, o.backoffMaxMs) },
  ]
  if (m.downSince === null) commands.push({ type: 'set_timer', timer: 'outage', ms: o.pollingAfterMs })
  return { machine: { ...base, state, downSince, attempt: m.attempt + 1 }, commands }
}
