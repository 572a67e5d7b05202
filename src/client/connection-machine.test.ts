/** Tests of the connection state machine: backoff bounds, polling after the threshold, no reconnect on 45xx, watchdog, backfill states. */
import { describe, expect, it } from 'bun:test'
import {
  defaultMachineOptions as o,
  initialMachine,
  reconnectDelay,
  silenceLimitMs,
  transition,
  watchdogVerdict,
  type Machine,
  type MachineCommand,
  type MachineEvent,
} from './connection-machine'

/** Runs events in order from `m`, returning the final machine and every command issued. */
function run(events: [MachineEvent, number][], m: Machine = initialMachine, random = () => 0.5) {
  const commands: MachineCommand[] = []
  for (const [e, now] of events) {
    const r = transition(m, e, now, random)
    m = r.machine
    commands.push(...r.commands)
  }
  return { m, commands }
}
const live = () =>
  run([
    [{ type: 'start' }, 0],
    [{ type: 'welcome', heartbeatMs: 1000 }, 10],
  ]).m
const opens = (cs: MachineCommand[]) => cs.filter((c) => c.type === 'open_socket').length
const timer = (cs: MachineCommand[], name: string) =>
  cs.find((c) => c.type === 'set_timer' && c.timer === name) as { ms: number } | undefined

describe('reconnectDelay', () => {
  it('should stay within [0, min(max, base·2^attempt)] and cap the exponent', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(20_000, 500 * 2 ** attempt)
      expect(reconnectDelay(attempt, () => 0, 500, 20_000)).toBe(0)
      expect(reconnectDelay(attempt, () => 0.999999, 500, 20_000)).toBeLessThanOrEqual(ceiling)
      expect(reconnectDelay(attempt, () => 0.999999, 500, 20_000)).toBeGreaterThan(ceiling * 0.99)
    }
    expect(reconnectDelay(100, () => 2, 500, 20_000)).toBe(20_000)
  })
})

describe('transition', () => {
  it('should open a socket on start and go live on welcome with a 2.5× heartbeat watchdog', () => {
    const { m, commands } = run([
      [{ type: 'start' }, 0],
      [{ type: 'welcome', heartbeatMs: 1000 }, 10],
    ])
    expect(m.state).toBe('live')
    expect(opens(commands)).toBe(1)
    expect(timer(commands.slice(-1), 'watchdog')!.ms).toBe(2500)
  })

  it('should reconnect with growing backoff after network and 40xx closes', () => {
    const { m, commands } = run(
      [
        [{ type: 'closed', code: 1006 }, 100],
        [{ type: 'retry_due' }, 400],
        [{ type: 'closed', code: 4000 }, 450],
        [{ type: 'retry_due' }, 1000],
      ],
      live(),
      () => 0.999,
    )
    expect(m.state).toBe('reconnecting')
    expect(m.attempt).toBe(2)
    const retries = commands.filter((c) => c.type === 'set_timer' && c.timer === 'retry') as { ms: number }[]
    expect(retries.map((r) => r.ms)).toEqual([500, 999])
    expect(opens(commands)).toBe(2)
  })

  it('should switch to polling once the stream has been down for the threshold, and keep retrying', () => {
    let { m, commands } = run([[{ type: 'closed', code: 1006 }, 1000]], live())
    expect(timer(commands, 'outage')!.ms).toBe(o.pollingAfterMs)
    ;({ m } = run([[{ type: 'outage_long' }, 1000 + o.pollingAfterMs]], m))
    expect(m.state).toBe('polling')
    ;({ m, commands } = run(
      [
        [{ type: 'retry_due' }, 12_000],
        [{ type: 'closed', code: 1006 }, 12_010],
      ],
      m,
    ))
    expect(m.state).toBe('polling')
    expect(opens(commands)).toBe(1)
    ;({ m } = run([[{ type: 'welcome', heartbeatMs: 1000 }, 13_000]], m))
    expect(m).toMatchObject({ state: 'live', attempt: 0, downSince: null })
  })

  it('should also poll when a close arrives after the threshold without the outage timer', () => {
    const { m } = run(
      [
        [{ type: 'closed', code: 1006 }, 0],
        [{ type: 'retry_due' }, 1],
        [{ type: 'closed', code: 1006 }, o.pollingAfterMs + 1],
      ],
      live(),
    )
    expect(m.state).toBe('polling')
  })

  for (const [code, state] of [
    [4500, 'signed_out'],
    [4501, 'signed_out'],
    [4502, 'signed_out'],
    [4504, 'over_quota'],
    [4503, 'degraded'],
    [4505, 'degraded'],
  ] as const) {
    it(`should not reconnect after close ${code} (→ ${state})`, () => {
      const { m, commands } = run(
        [
          [{ type: 'closed', code }, 100],
          [{ type: 'retry_due' }, 5000],
          [{ type: 'outage_long' }, 20_000],
        ],
        live(),
      )
      expect(m.state).toBe(state)
      expect(opens(commands)).toBe(0)
      expect(timer(commands, 'retry')).toBeUndefined()
    })
  }

  it('should carry the in-band error as the reason of a refused connection', () => {
    const { m } = run([
      [{ type: 'start' }, 0],
      [{ type: 'closed', code: 4502, error: { code: 'TOKEN_EXPIRED', message: 'expired' } }, 5],
    ])
    expect(m).toMatchObject({ state: 'signed_out', reason: { code: 'TOKEN_EXPIRED' } })
  })

  it('should start again after signing in', () => {
    const out = run(
      [
        [{ type: 'closed', code: 4501 }, 0],
        [{ type: 'start' }, 10],
      ],
      live(),
    )
    expect(out.m.state).toBe('connecting')
    expect(opens(out.commands)).toBe(1)
  })

  it('should treat silence as a lost stream: close the socket and reconnect', () => {
    const { m, commands } = run([[{ type: 'silent' }, 5000]], live())
    expect(m.state).toBe('reconnecting')
    expect(commands[0]).toEqual({ type: 'close_socket', reason: 'silent' })
    expect(timer(commands, 'retry')).toBeDefined()
  })

  it('should show degraded while a backfill fails on a live stream, and live again once one succeeds', () => {
    let { m } = run([[{ type: 'backfill_failed', message: 'HTTP 503' }, 100]], live())
    expect(m).toMatchObject({ state: 'degraded', reason: { code: 'BACKFILL_FAILED' } })
    ;({ m } = run([[{ type: 'backfill_ok' }, 200]], m))
    expect(m.state).toBe('live')
  })

  it('should retry immediately when the browser reports the network back', () => {
    const { commands } = run(
      [
        [{ type: 'closed', code: 1006 }, 0],
        [{ type: 'online' }, 10],
      ],
      live(),
    )
    expect(commands.at(-2)).toEqual({ type: 'open_socket' })
  })
})

describe('watchdogVerdict', () => {
  it('should expire only after the limit and tell when to look again', () => {
    expect(watchdogVerdict(1000, 2000, 2500)).toEqual({ expired: false, recheckInMs: 1500 })
    expect(watchdogVerdict(1000, 3500, 2500)).toEqual({ expired: true })
  })
})

describe('dead-link rules', () => {
  const liveWithKeepalive = () =>
    run([
      [{ type: 'start' }, 0],
      [{ type: 'welcome', heartbeatMs: 20_000, keepaliveMs: 2000 }, 10],
    ]).m

  it('should set the watchdog from welcome: 2.75 × keepalive_ms (5.5 s), or 2.5 × heartbeat_ms from a server without it', () => {
    const withKeepalive = run([
      [{ type: 'start' }, 0],
      [{ type: 'welcome', heartbeatMs: 20_000, keepaliveMs: 2000 }, 10],
    ])
    expect(timer(withKeepalive.commands.slice(-1), 'watchdog')!.ms).toBe(5500)
    expect(silenceLimitMs(withKeepalive.m, o)).toBe(5500)
    const older = run([
      [{ type: 'start' }, 0],
      [{ type: 'welcome', heartbeatMs: 20_000 }, 10],
    ])
    expect(timer(older.commands.slice(-1), 'watchdog')!.ms).toBe(50_000)
  })

  it('should treat the browser going offline as a lost stream at once, and ignore it while already retrying', () => {
    const { m, commands } = run([[{ type: 'offline' }, 100]], liveWithKeepalive())
    expect(m).toMatchObject({ state: 'reconnecting', reason: { code: 'OFFLINE' }, streamUp: false, downSince: 100 })
    expect(commands[0]).toEqual({ type: 'close_socket', reason: 'offline' })
    expect(timer(commands, 'retry')).toBeDefined()
    const again = run([[{ type: 'offline' }, 200]], m)
    expect(again.m).toBe(m)
    expect(again.commands).toEqual([])
  })

  it('should be offline while polls fail, polling when one succeeds, and live on welcome', () => {
    let { m } = run(
      [
        [{ type: 'offline' }, 0],
        [{ type: 'outage_long' }, o.pollingAfterMs],
        [{ type: 'poll_failed' }, o.pollingAfterMs + 1],
      ],
      liveWithKeepalive(),
    )
    expect(m.state).toBe('offline')
    // Retries go on, and a failed one keeps the state offline.
    let commands: MachineCommand[]
    ;({ m, commands } = run(
      [
        [{ type: 'retry_due' }, 12_000],
        [{ type: 'closed', code: 1006 }, 12_010],
      ],
      m,
    ))
    expect(opens(commands)).toBe(1)
    expect(m.state).toBe('offline')
    ;({ m } = run([[{ type: 'poll_ok' }, 13_000]], m))
    expect(m.state).toBe('polling')
    ;({ m } = run([[{ type: 'poll_failed' }, 16_000]], m))
    expect(m.state).toBe('offline')
    ;({ m, commands } = run([[{ type: 'online' }, 17_000]], m))
    expect(opens(commands)).toBe(1)
    ;({ m } = run([[{ type: 'welcome', heartbeatMs: 20_000, keepaliveMs: 2000 }, 17_100]], m))
    expect(m).toMatchObject({ state: 'live', downSince: null })
  })

  it('should not call a live stream offline for a failed poll of refused symbols', () => {
    const { m } = run([[{ type: 'poll_failed' }, 100]], liveWithKeepalive())
    expect(m.state).toBe('live')
  })
})
