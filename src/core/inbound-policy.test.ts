import { describe, expect, it } from 'bun:test'
import { admitFrame, countError, createInboundPolicy, type InboundPolicy } from './inbound-policy'

function frames(p: InboundPolicy, times: number[]) {
  const verdicts: string[] = []
  for (const t of times) {
    const r = admitFrame(p, t)
    p = r.policy
    verdicts.push(r.verdict.kind === 'refuse' ? (r.verdict.notify ? 'refuse+notify' : 'refuse') : r.verdict.kind)
  }
  return { p, verdicts }
}

describe('inbound policy', () => {
  it('should accept the rate as a burst, then refuse with one notice per second', () => {
    const { verdicts } = frames(createInboundPolicy({ messagesPerSecond: 3 }, 0), [0, 0, 0, 0, 0, 100, 1000, 1001])
    expect(verdicts).toEqual(['accept', 'accept', 'accept', 'refuse+notify', 'refuse', 'refuse', 'accept', 'accept'])
  })

  it('should close a client whose refusals exceed two seconds of budget', () => {
    const { verdicts } = frames(createInboundPolicy({ messagesPerSecond: 2 }, 0), Array(8).fill(0))
    expect(verdicts).toEqual(['accept', 'accept', 'refuse+notify', 'refuse', 'refuse', 'refuse', 'close', 'close'])
  })

  it('should never close a client that stays within the rate', () => {
    const times = Array.from({ length: 600 }, (_, i) => i * 250)
    expect(frames(createInboundPolicy({ messagesPerSecond: 4 }, 0), times).verdicts.every((v) => v === 'accept')).toBe(true)
  })

  it('should exhaust the error budget on the error after the budget, and recover over the window', () => {
    let p = createInboundPolicy({ messagesPerSecond: 10, errorBudget: 3, errorWindowMs: 30_000 }, 0)
    const exhausted: boolean[] = []
    for (let i = 0; i < 4; i++) {
      const r = countError(p, 0)
      p = r.policy
      exhausted.push(r.exhausted)
    }
    expect(exhausted).toEqual([false, false, false, true])
    expect(countError(p, 10_000).exhausted).toBe(false)
  })
})
