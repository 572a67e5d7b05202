/** Massive feed wire format: subscribe batching and server frame parsing (arrays, single objects, malformed input, acks). */

import { describe, expect, it } from 'bun:test'
import { channelFrames, parseFeedFrame } from './feed-wire.ts'

const trade = {
  ev: 'T',
  sym: 'AAPL',
  i: '5096',
  x: 10,
  p: 161.87,
  s: 300,
  c: [14, 41],
  t: 1651684192462,
  q: 4009402,
  z: 3,
}
const minute = {
  ev: 'AM',
  sym: 'GTE',
  v: 4110,
  av: 9470157,
  op: 0.4372,
  vw: 0.4488,
  o: 0.4488,
  c: 0.4486,
  h: 0.4489,
  l: 0.4486,
  a: 0.4352,
  z: 685,
  s: 1610144640000,
  e: 1610144700000,
}

describe('channelFrames', () => {
  it('puts T and AM of every symbol into one frame when they fit', () => {
    expect(channelFrames('subscribe', ['AAPL', 'MSFT'], 8_000)).toEqual([
      JSON.stringify({ action: 'subscribe', params: 'T.AAPL,AM.AAPL,T.MSFT,AM.MSFT' }),
    ])
  })

  it('splits into the fewest frames whose params stay within the cap', () => {
    const symbols = Array.from({ length: 500 }, (_, i) => `S${String(i).padStart(4, '0')}`)
    const frames = channelFrames('unsubscribe', symbols, 1_000).map(
      (f) => JSON.parse(f) as { action: string; params: string },
    )
    const channels = frames.flatMap((f) => f.params.split(','))
    const total = channels.reduce((n, c) => n + c.length + 1, -1)

    expect(frames.every((f) => f.action === 'unsubscribe' && f.params.length <= 1_000)).toBe(true)
    expect(channels).toEqual(symbols.flatMap((s) => [`T.${s}`, `AM.${s}`]))
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(total / (1_000 - 7)))
  })

  it('makes no frame for no symbols', () => {
    expect(channelFrames('subscribe', [], 8_000)).toEqual([])
  })
})

describe('parseFeedFrame', () => {
  it('maps T to Trade (keeping q and the conditions c) and AM to LiveBar (s → t, n unknown = 0), merging runs in order', () => {
    const items = parseFeedFrame(JSON.stringify([trade, { ...trade, q: 4009403, c: undefined }, minute, trade]))

    expect(items.map((i) => i.kind)).toEqual(['trades', 'bars', 'trades'])
    expect(items[0]).toEqual({
      kind: 'trades',
      trades: [
        { symbol: 'AAPL', p: 161.87, s: 300, t: 1651684192462, q: 4009402, c: [14, 41] },
        { symbol: 'AAPL', p: 161.87, s: 300, t: 1651684192462, q: 4009403 },
      ],
    })
    expect(items[1]).toEqual({
      kind: 'bars',
      bars: [
        {
          symbol: 'GTE',
          t: 1610144640000,
          o: 0.4488,
          h: 0.4489,
          l: 0.4486,
          c: 0.4486,
          v: 4110,
          vw: 0.4488,
          n: 0,
          e: 1610144700000,
        },
      ],
    })
  })

  it('tolerates a single event object instead of an array', () => {
    expect(parseFeedFrame(JSON.stringify({ ev: 'status', status: 'auth_success', message: 'authenticated' }))).toEqual([
      { kind: 'status', event: { kind: 'authenticated' } },
    ])
  })

  it('reports a non-JSON or non-array frame as one error and never throws', () => {
    for (const text of ['not json', '[{"ev":"T"', '42', '"text"', 'null', '']) {
      const items = parseFeedFrame(text)
      expect(items).toHaveLength(1)
      expect(items[0]).toMatchObject({ kind: 'status', event: { kind: 'error' } })
    }
  })

  it('reports a bad event at its position and keeps the good ones', () => {
    const items = parseFeedFrame(
      JSON.stringify([trade, { ev: 'T', sym: 'AAPL', p: 'x' }, 7, { ...minute, o: null }, { ...trade, c: [37, 'x'] }, trade]),
    )

    expect(items.map((i) => (i.kind === 'status' ? i.event.kind : i.kind))).toEqual([
      'trades',
      'error',
      'error',
      'error',
      'error',
      'trades',
    ])
  })

  it('reads connect, auth, disconnect and error statuses by `status`, not by message', () => {
    const statuses = [
      { status: 'connected', message: 'Connected Successfully' },
      { status: 'success', message: 'Connected Successfully' },
      { status: 'auth_failed', message: 'authentication failed' },
      { status: 'max_connections', message: 'anything' },
      { status: 'force_disconnect', message: '' },
      { status: 'slow_consumer', message: 'x' },
      { status: 'error', message: 'not entitled' },
      { status: 'auth_timeout', message: 'No authentication request received.' },
    ]
    const items = parseFeedFrame(JSON.stringify(statuses.map((s) => ({ ev: 'status', ...s }))))

    expect(items.map((i) => (i.kind === 'status' ? i.event : null))).toEqual([
      { kind: 'connected' },
      { kind: 'connected' },
      { kind: 'auth_failed', message: 'authentication failed' },
      { kind: 'max_connections', message: 'anything' },
      { kind: 'force_disconnect', message: '' },
      { kind: 'slow_consumer', message: 'x' },
      { kind: 'error', message: 'not entitled' },
      { kind: 'error', message: 'status "auth_timeout": No authentication request received.' },
    ])
  })

  it('merges consecutive subscribe acks into one event and ignores unsubscribe acks and other event types', () => {
    const frame = [
      { ev: 'status', status: 'success', message: 'subscribed to: T.MSFT' },
      { ev: 'status', status: 'success', message: 'subscribed to: AM.MSFT, T.AAPL' },
      { ev: 'status', status: 'success', message: 'unsubscribed to: T.IBM' },
      { ev: 'A', sym: 'MSFT', o: 1, h: 2, l: 1, c: 2, v: 10, s: 0, e: 1000 },
    ]

    expect(parseFeedFrame(JSON.stringify(frame))).toEqual([
      { kind: 'status', event: { kind: 'subscribed', channels: ['T.MSFT', 'AM.MSFT', 'T.AAPL'] } },
    ])
  })
})

describe('Q (NBBO quotes)', () => {
  const quote = { ev: 'Q', sym: 'MSFT', bx: 4, bp: 114.125, bs: 100, ax: 7, ap: 114.128, as: 160, c: 0, i: [604], t: 1536036818784, q: 50385480, z: 3 }

  it('maps the spec example to a Quote and merges consecutive quotes, in frame order with trades', () => {
    expect(parseFeedFrame(JSON.stringify([quote, { ...quote, q: 50385481, bp: 114.126 }, trade]))).toEqual([
      {
        kind: 'quotes',
        quotes: [
          { symbol: 'MSFT', bid: 114.125, bidSize: 100, bidExchange: 4, ask: 114.128, askSize: 160, askExchange: 7, condition: 0, t: 1536036818784, q: 50385480 },
          { symbol: 'MSFT', bid: 114.126, bidSize: 100, bidExchange: 4, ask: 114.128, askSize: 160, askExchange: 7, condition: 0, t: 1536036818784, q: 50385481 },
        ],
      },
      { kind: 'trades', trades: [{ symbol: 'AAPL', p: 161.87, s: 300, c: [14, 41], t: 1651684192462, q: 4009402 }] },
    ])
  })

  it('reports a quote without prices or sizes as an error at its position', () => {
    const items = parseFeedFrame(JSON.stringify([{ ev: 'Q', sym: 'MSFT', bp: 1, ap: 2 }]))
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ kind: 'status', event: { kind: 'error' } })
  })

  it('turns a refusal naming a Q channel into quotes_unavailable, and other errors stay errors', () => {
    for (const [status, message] of [
      ['error', 'You are not authorized to access: Q.AAPL'],
      ['auth_required', 'not authorized: Q.*'],
      ['error', "Your plan doesn't include quotes"],
    ])
      expect(parseFeedFrame(JSON.stringify([{ ev: 'status', status, message }]))).toEqual([
        { kind: 'status', event: { kind: 'quotes_unavailable', message } },
      ])
    expect(parseFeedFrame(JSON.stringify([{ ev: 'status', status: 'error', message: 'invalid channel: T.' }]))).toEqual([
      { kind: 'status', event: { kind: 'error', message: 'invalid channel: T.' } },
    ])
  })

  it('puts Q between T and AM of each symbol when quotes are asked for', () => {
    expect(channelFrames('subscribe', ['AAPL'], 8_000, ['T', 'Q', 'AM'])).toEqual([
      JSON.stringify({ action: 'subscribe', params: 'T.AAPL,Q.AAPL,AM.AAPL' }),
    ])
  })
})
