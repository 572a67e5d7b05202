/** Tests of the server-clock estimate: stream `ts` samples (least delayed wins), HTTP `Date` as the fallback, and offset 0 before any sample. */
import { describe, expect, it } from 'bun:test'
import { ServerClock } from './server-clock'

const S = 1000
const M = 60_000
/** Local clock 7 minutes ahead of the server's (a PC clock gone wrong). */
const skew = 7 * M
const local0 = Date.UTC(2026, 10, 20, 15, 30, 0, 250)
const serverAt = (local: number) => local - skew
const httpDate = (serverMs: number) => new Date(serverMs).toUTCString()

describe('ServerClock', () => {
  it('should be the local clock before any sample', () => {
    const c = new ServerClock()
    expect(c.offset()).toBe(0)
    expect(c.now(local0)).toBe(local0)
  })

  it('should take the server time from stream ts, behind by at most the least transit time', () => {
    const c = new ServerClock()
    // Frames every second, each 15–80 ms in transit.
    for (let i = 0; i < 10; i++) {
      const sentLocal = local0 + i * S
      c.streamSample(serverAt(sentLocal), sentLocal + 15 + ((i * 37) % 66))
    }
    const at = local0 + 20 * S
    const error = serverAt(at) - c.now(at)
    expect(error).toBeGreaterThanOrEqual(0)
    expect(error).toBeLessThanOrEqual(15)
  })

  it('should not move for a frame or a burst that arrives late', () => {
    const c = new ServerClock()
    c.streamSample(serverAt(local0), local0 + 10)
    const before = c.offset()
    // A 4 s stall (a backlog, a busy tab): every frame of it arrives late.
    for (let i = 0; i < 50; i++) c.streamSample(serverAt(local0 + 1000 + i * 20), local0 + 5000 + i)
    expect(c.offset()).toBe(before)
    expect(serverAt(local0 + 6000) - c.now(local0 + 6000)).toBe(10)
  })

  it('should follow the server again once the window has passed, and at once when the local clock steps back', () => {
    const c = new ServerClock({ windowMs: 60_000 })
    c.streamSample(serverAt(local0), local0 + 5)
    // 90 s later every frame takes 200 ms: after the window the estimate is the slower path's.
    for (let i = 1; i <= 90; i++) c.streamSample(serverAt(local0 + i * S), local0 + i * S + 200)
    expect(c.offset()).toBe(-skew - 200)
    // The PC clock is corrected (back 7 minutes): the samples of the old clock go.
    const fixed = local0 + 100 * S - skew
    c.streamSample(fixed, fixed + 30)
    expect(c.offset()).toBe(-30)
  })

  it('should fall back to the HTTP Date, within its second plus the round trip', () => {
    const c = new ServerClock()
    const sentAt = local0
    const receivedAt = sentAt + 40
    // The server stamped its Date midway, 14:40:07.270 → "14:40:07".
    c.httpSample(httpDate(serverAt(sentAt + 20)), sentAt, receivedAt)
    const at = receivedAt + 5 * S
    expect(Math.abs(c.now(at) - serverAt(at))).toBeLessThanOrEqual(500 + 20)
  })

  it('should narrow the HTTP estimate with requests on both sides of a second', () => {
    const c = new ServerClock()
    // Server time at the responses: x.900 and (x+1).100 (the clock's offset puts the boundary in between).
    const first = local0 + 650
    c.httpSample(httpDate(serverAt(first)), first - 2, first + 2)
    const second = first + 200
    c.httpSample(httpDate(serverAt(second)), second - 2, second + 2)
    expect(Math.abs(c.now(second) - serverAt(second))).toBeLessThanOrEqual(110)
  })

  it('should prefer any stream sample to HTTP dates, and ignore a malformed Date', () => {
    const c = new ServerClock()
    c.httpSample('not a date', local0, local0 + 10)
    expect(c.offset()).toBe(0)
    c.httpSample(httpDate(serverAt(local0) + 900), local0, local0 + 10)
    c.streamSample(serverAt(local0 + 20), local0 + 21)
    expect(c.offset()).toBe(-skew - 1)
  })
})
