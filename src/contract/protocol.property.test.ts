/** Properties of inbound stream frames: any frame is a request or a named protocol error, never a throw; valid requests round-trip. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString } from '../../test/support/properties'
import { parseClientFrame } from './protocol'
import { isTickerSyntax } from '../core/validate'

const frameErrors = ['MESSAGE_TOO_BIG', 'MALFORMED_MESSAGE', 'UNKNOWN_ACTION', 'INVALID_SYMBOLS']
const ticker = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.-]{0,9}$/)
const id = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0), // JSON has no -0
)
/** Objects shaped like requests, each field right, wrong or absent. */
const requestLike = fc.record(
  {
    action: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'ping', 'refresh'), fc.jsonValue()),
    symbols: fc.oneof(fc.array(fc.oneof(ticker, hostileString, fc.jsonValue()), { maxLength: 5 }), fc.jsonValue()),
    token: fc.oneof(hostileString, fc.jsonValue()),
    id: fc.oneof(id, fc.jsonValue(), fc.string({ minLength: 65, maxLength: 80 })),
  },
  { requiredKeys: [] },
)
const frame = fc.oneof(
  requestLike.map((r) => JSON.stringify(r)),
  fc.json(),
  hostileString,
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 40 }),
)

describe('parseClientFrame (properties)', () => {
  it('should answer any frame with a request or a named protocol error, never a throw', () => {
    holds(
      fc.property(frame, fc.integer({ min: 1, max: 4096 }), (f, maxBytes) => {
        const r = parseClientFrame(f, maxBytes)
        if (!r.ok) {
          expect(frameErrors).toContain(r.error.code)
          expect(typeof r.error.message).toBe('string')
          return
        }
        expect(typeof f).toBe('string')
        expect(Buffer.byteLength(f as string)).toBeLessThanOrEqual(maxBytes)
        const req = r.request
        if (req.action === 'subscribe' || req.action === 'unsubscribe') {
          expect(req.symbols.length).toBeGreaterThan(0)
          for (const s of req.symbols) expect(isTickerSyntax(s)).toBe(true)
          expect(new Set(req.symbols).size).toBe(req.symbols.length)
        } else if (req.action === 'refresh') expect(req.token).not.toBe('')
        else expect(req.action).toBe('ping')
      }),
    )
  })

  it('should read every valid request back, symbols normalised and de-duplicated', () => {
    holds(
      fc.property(
        fc.constantFrom('subscribe' as const, 'unsubscribe' as const),
        fc.array(ticker, { minLength: 1, maxLength: 20 }),
        fc.option(id, { nil: undefined }),
        (action, symbols, requestId) => {
          const text = JSON.stringify({ action, symbols: symbols.map((s) => ` ${s.toLowerCase()} `), id: requestId })
          const r = parseClientFrame(text, 64 * 1024)
          const expected = [...new Set(symbols.map((s) => s.toUpperCase()))]
          expect(r).toEqual({
            ok: true,
            request: { action, symbols: expected, ...(requestId === undefined ? {} : { id: requestId }) },
          })
        },
      ),
    )
  })

  it('should refuse a frame over the byte limit as MESSAGE_TOO_BIG, counting UTF-8 bytes', () => {
    holds(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), (text) => {
        const bytes = Buffer.byteLength(text)
        const r = parseClientFrame(text, bytes - 1)
        expect(r.ok === false && r.error.code).toBe('MESSAGE_TOO_BIG')
      }),
    )
  })
})
