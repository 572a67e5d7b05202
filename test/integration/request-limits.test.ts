/** Oversized requests over a real socket: bodies declared or streamed, long URLs, big or many headers each answer the error envelope with its code, and the process keeps serving. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { connect } from 'node:net'
import type { App } from '../../src/app'
import { requestLimits } from '../../src/http/request-limits'
import { startApp } from '../support/harness'

const maxBody = 16 * 1024

/** A body with no Content-Length (chunked), `total` bytes of one JSON string in `chunk`-byte pieces. */
function streamedBody(total: number, chunk = 4096): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(total) }))
  let at = 0
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close()
      c.enqueue(bytes.subarray(at, (at += chunk)))
    },
  })
}

/** What a raw socket gets back for `head` (the status line and whether the connection was closed). */
function rawExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let out = ''
    socket.on('data', (d) => (out += d.toString('latin1')))
    socket.on('close', () => resolve(out))
    socket.on('error', reject)
    socket.write(head)
  })
}

describe('request limits over a real socket', () => {
  let app: App
  let url: string
  let port: number
  beforeAll(async () => {
    app = await startApp({ MAX_BODY_BYTES: String(maxBody) })
    ;({ url, port } = await app.listen())
  })
  afterAll(() => app.stop())

  /** The refusal is the JSON envelope with `code` and a request id, and the server still answers. */
  async function expectEnvelope(res: Response, status: number, code: string) {
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toStartWith('application/json')
    const body = (await res.json()) as { error: { code: string; request_id: string } }
    expect(body.error.code).toBe(code)
    expect(body.error.request_id).toBe(res.headers.get('x-request-id')!)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
  }

  it('should answer a body declared at 100 KB with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(100 * 1024) }),
    })
    await expectEnvelope(res, 413, 'PAYLOAD_TOO_LARGE')
  })

  it('should answer a streamed body with no Content-Length over the limit with 413, however far over', async () => {
    for (const size of [maxBody + 4096, 1024 * 1024]) {
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: streamedBody(size),
      })
      await expectEnvelope(res, 413, 'PAYLOAD_TOO_LARGE')
    }
  })

  it('should still take a streamed body under the limit', async () => {
    const res = await fetch(`${url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamedBody(200),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INVALID_PASSWORD')
  })

  it('should answer a 100 KB query string with 414 URI_TOO_LONG', async () => {
    await expectEnvelope(await fetch(`${url}/healthz?q=${'a'.repeat(100 * 1024)}`), 414, 'URI_TOO_LONG')
    expect((await fetch(`${url}/healthz?q=${'a'.repeat(requestLimits.maxUrlBytes - 20)}`)).status).toBe(200)
  })

  it('should answer big headers and too many headers with 431 REQUEST_HEADER_TOO_LARGE', async () => {
    await expectEnvelope(
      await fetch(`${url}/healthz`, { headers: { 'x-big': 'a'.repeat(20 * 1024) } }),
      431,
      'REQUEST_HEADER_TOO_LARGE',
    )
    await expectEnvelope(
      await fetch(`${url}/healthz`, { headers: { cookie: `mw_token=${'a'.repeat(100 * 1024)}` } }),
      431,
      'REQUEST_HEADER_TOO_LARGE',
    )
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`x-h${i}`, 'v']))
    await expectEnvelope(await fetch(`${url}/healthz`, { headers: many }), 431, 'REQUEST_HEADER_TOO_LARGE')
  })

  it("should leave only Bun's documented hard stop bare, and keep serving after it", async () => {
    const answer = await rawExchange(
      port,
      `GET /healthz?q=${'a'.repeat(requestLimits.bunHeadBytes + 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    )
    expect(answer).toStartWith('HTTP/1.1 431')
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
  })
})
