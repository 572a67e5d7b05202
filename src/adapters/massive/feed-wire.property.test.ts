/** Properties of the Massive WebSocket wire: any frame becomes items (bad parts as error statuses), never a throw; events and subscribe frames round-trip. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString } from '../../../test/support/properties'
import { FEED_CHANNELS, channelFrames, parseFeedFrame } from './feed-wire'

const symbol = fc.stringMatching(/^[A-Z][A-Z.]{0,5}$/)
const price = fc.double({ min: 0, max: 1e6, noNaN: true })
const numberish = fc.oneof({ arbitrary: price, weight: 4 }, fc.double(), fc.jsonValue())
const eventLike = fc.record(
  {
    ev: fc.oneof(fc.constantFrom('T', 'AM', 'status', 'Q', 'A'), fc.jsonValue()),
    sym: fc.oneof({ arbitrary: symbol, weight: 4 }, fc.jsonValue()),
    p: numberish,
    s: numberish,
    t: numberish,
    q: numberish,
    o: numberish,
    h: numberish,
    l: numberish,
    c: numberish,
    v: numberish,
    e: numberish,
    vw: numberish,
    status: fc.oneof(
      fc.constantFrom('connected', 'auth_success', 'auth_failed', 'success', 'error', 'max_connections'),
      fc.jsonValue(),
    ),
    message: fc.oneof(
      fc.constantFrom('subscribed to: T.AAPL,AM.AAPL', 'unsubscribed to: T.X', 'Connected Successfully'),
      hostileString,
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
)
const frame = fc.oneof(
  fc
    .array(fc.oneof({ arbitrary: eventLike, weight: 5 }, fc.jsonValue()), { maxLength: 6 })
    .map((events) => JSON.stringify(events)),
  eventLike.map((e) => JSON.stringify(e)),
  fc.json(),
  hostileString,
  fc.string({ unit: 'binary', maxLength: 200 }),
)

describe('Massive feed wire (properties)', () => {
  it('should turn any frame into items, a bad part into an error status, never a throw', () => {
    holds(
      fc.property(frame, (text) => {
        for (const item of parseFeedFrame(text)) {
          if (item.kind === 'trades')
            for (const t of item.trades) {
              expect(t.symbol.length).toBeGreaterThan(0)
              expect([t.p, t.s, t.t, t.q].every(Number.isFinite) && t.p >= 0 && t.s >= 0).toBe(true)
            }
          else if (item.kind === 'bars')
            for (const b of item.bars)
              expect([b.t, b.o, b.h, b.l, b.c, b.v, b.vw, b.e].every(Number.isFinite)).toBe(true)
          else if (item.kind === 'quotes')
            for (const q of item.quotes)
              expect([q.bid, q.ask, q.bidSize, q.askSize, q.t].every(Number.isFinite)).toBe(true)
          else
            expect([
              'connected',
              'authenticated',
              'auth_failed',
              'max_connections',
              'force_disconnect',
              'slow_consumer',
              'subscribed',
              'quotes_unavailable',
              'error',
            ]).toContain(item.event.kind)
        }
      }),
    )
  })

  it('should read trades and minute bars back in frame order', () => {
    const trade = fc.record({ sym: symbol, p: price, s: fc.nat(), t: fc.nat(), q: fc.nat() })
    const bar = fc.record({
      sym: symbol,
      s: fc.nat(),
      e: fc.nat(),
      o: price,
      h: price,
      l: price,
      c: price,
      v: fc.nat(),
      vw: price,
    })
    const event = fc.oneof(
      trade.map((t) => ({ ev: 'T', ...t })),
      bar.map((b) => ({ ev: 'AM', ...b })),
    )
    holds(
      fc.property(fc.array(event, { maxLength: 12 }), (events) => {
        const items = parseFeedFrame(JSON.stringify(events))
        const back = items.flatMap((i) =>
          i.kind === 'trades'
            ? i.trades.map((t) => ({ ev: 'T', sym: t.symbol, p: t.p, s: t.s, t: t.t, q: t.q }))
            : i.kind === 'bars'
              ? i.bars.map((b) => ({
                  ev: 'AM',
                  sym: b.symbol,
                  s: b.t,
                  e: b.e,
                  o: b.o,
                  h: b.h,
                  l: b.l,
                  c: b.c,
                  v: b.v,
                  vw: b.vw,
                }))
              : [{ ev: 'status' }],
        )
        expect(back).toEqual(events)
        for (let i = 1; i < items.length; i++)
          expect(items[i]!.kind === items[i - 1]!.kind && items[i]!.kind !== 'status').toBe(false)
      }),
    )
  })

  it('should pack subscribe frames within the params bound, every channel of every symbol once, in order', () => {
    holds(
      fc.property(
        fc.constantFrom('subscribe' as const, 'unsubscribe' as const),
        fc.array(symbol, { maxLength: 40 }),
        fc.integer({ min: 1, max: 200 }),
        (action, symbols, max) => {
          const frames = channelFrames(action, symbols, max).map(
            (f) => JSON.parse(f) as { action: string; params: string },
          )
          const items = frames.flatMap((f) => {
            expect(f.action).toBe(action)
            const list = f.params.split(',')
            expect(f.params.length <= max || list.length === 1).toBe(true)
            return list
          })
          expect(items).toEqual(symbols.flatMap((s) => FEED_CHANNELS.map((c) => `${c}.${s}`)))
        },
      ),
    )
  })
})
