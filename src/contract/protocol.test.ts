import { describe, expect, it } from 'bun:test'
import { closeCodeTable, closeForAuthError, CloseCode, messageTypeOf, parseClientFrame, shouldReconnect } from './protocol'

describe('close codes', () => {
  it('should split reconnect (4000-4499) from terminal (4500-4999) codes', () => {
    for (const row of closeCodeTable()) expect(row.reconnect).toBe(row.code < 4500)
    expect(closeCodeTable().map((r) => r.code)).toEqual([4000, 4001, 4002, 4003, 4004, 4005, 4500, 4501, 4502, 4503, 4504, 4505])
    expect(shouldReconnect(1006)).toBe(true)
    expect(shouldReconnect(CloseCode.TOKEN_EXPIRED)).toBe(false)
  })

  it('should map token failures to their close', () => {
    expect(closeForAuthError('AUTH_REQUIRED')).toBe('AUTH_REQUIRED')
    expect(closeForAuthError('TOKEN_EXPIRED')).toBe('TOKEN_EXPIRED')
    for (const code of ['TOKEN_INVALID', 'TOKEN_SIGNATURE_INVALID', 'TOKEN_ALG_NOT_ALLOWED'])
      expect(closeForAuthError(code)).toBe('TOKEN_INVALID')
  })
})

describe('parseClientFrame', () => {
  const parse = (frame: string | Uint8Array, max = 256) => parseClientFrame(frame, max)
  const code = (frame: string | Uint8Array, max?: number) => {
    const r = parse(frame, max)
    return r.ok ? 'ok' : r.error.code
  }

  it('should normalise and de-duplicate symbols and keep the id', () => {
    expect(parse('{"action":"subscribe","symbols":[" aapl","AAPL","brk.b"],"id":"x"}')).toEqual({
      ok: true,
      request: { action: 'subscribe', symbols: ['AAPL', 'BRK.B'], id: 'x' },
    })
    expect(parse('{"action":"ping","id":3}')).toEqual({ ok: true, request: { action: 'ping', id: 3 } })
    expect(parse('{"action":"refresh","token":"a.b.c","id":4}')).toEqual({
      ok: true,
      request: { action: 'refresh', token: 'a.b.c', id: 4 },
    })
  })

  it('should name each failure', () => {
    expect(code(new Uint8Array([123, 125]))).toBe('MALFORMED_MESSAGE')
    expect(code('not json')).toBe('MALFORMED_MESSAGE')
    expect(code('"a string"')).toBe('MALFORMED_MESSAGE')
    expect(code('null')).toBe('MALFORMED_MESSAGE')
    expect(code('{"action":"ping","id":{}}')).toBe('MALFORMED_MESSAGE')
    expect(code('{"action":"publish"}')).toBe('UNKNOWN_ACTION')
    expect(code('{}')).toBe('UNKNOWN_ACTION')
    expect(code('{"action":"subscribe","symbols":"AAPL"}')).toBe('INVALID_SYMBOLS')
    expect(code('{"action":"unsubscribe","symbols":["1BAD"]}')).toBe('INVALID_SYMBOLS')
    // 'ſ' and 'ı' upper-case to S and I: not A-Z letters, so not a ticker (was MSFT).
    expect(code('{"action":"subscribe","symbols":["Mſft"]}')).toBe('INVALID_SYMBOLS')
    expect(code('{"action":"refresh"}')).toBe('MALFORMED_MESSAGE')
    expect(code('{"action":"refresh","token":""}')).toBe('MALFORMED_MESSAGE')
    expect(code('{"action":"refresh","token":42}')).toBe('MALFORMED_MESSAGE')
  })

  it('should measure size in UTF-8 bytes, exactly at the limit', () => {
    const frame = (n: number) => `{"action":"ping","id":"${'é'.repeat(n)}"}`
    const base = Buffer.byteLength(frame(0))
    expect(code(frame(10), base + 20)).toBe('ok')
    expect(code(frame(10), base + 19)).toBe('MESSAGE_TOO_BIG')
  })

  it('should echo the id on a refused request', () => {
    const r = parse('{"action":"dance","id":"q"}')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.id).toBe('q')
  })
})

describe('messageTypeOf', () => {
  it('should read the type without parsing', () => {
    expect(messageTypeOf('{"type":"trade","symbol":"A"}')).toBe('trade')
    expect(messageTypeOf('{"symbol":"A"}')).toBe('unknown')
  })
})
