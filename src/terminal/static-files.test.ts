/** /terminal's page and assets over HTTP: compressed as Accept-Encoding prefers, with ETag and Last-Modified, 304 on a match. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { gunzipSync } from 'node:zlib'
import { brotliDecompressSync } from 'node:zlib'
import { Elysia } from 'elysia'
import { chooseEncoding, createTerminalRoutes, type TerminalBundle } from './index'

const bundle: TerminalBundle = {
  html: '<!doctype html><title>t</title>' + '<p>market watch</p>'.repeat(200),
  js: 'console.log("terminal");'.repeat(400),
  css: 'body{color:red}'.repeat(400),
  jsPath: '/terminal/assets/terminal-abc.js',
  cssPath: '/terminal/assets/terminal-abc.css',
}

describe('terminal static files', () => {
  let server: ReturnType<typeof Bun.serve>
  let base = ''
  beforeAll(() => {
    const app = new Elysia().use(createTerminalRoutes({ bundle }))
    server = Bun.serve({ port: 0, fetch: (req) => app.handle(req) })
    base = `http://127.0.0.1:${server.port}`
  })
  afterAll(() => server.stop(true))

  // decompress: false, so the test sees the bytes on the wire.
  const get = (path: string, headers: Record<string, string>) => fetch(base + path, { headers, decompress: false })

  it('should send brotli, gzip or plain text as the client accepts, each decoding to the asset', async () => {
    const br = await get(bundle.jsPath, { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('vary')).toBe('Accept-Encoding')
    const brBytes = new Uint8Array(await br.arrayBuffer())
    expect(brBytes.length).toBeLessThan(bundle.js.length / 10)
    expect(brotliDecompressSync(brBytes).toString()).toBe(bundle.js)

    const gz = await get(bundle.cssPath, { 'accept-encoding': 'gzip' })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(new Uint8Array(await gz.arrayBuffer())).toString()).toBe(bundle.css)

    const plain = await get('/terminal', { 'accept-encoding': 'identity' })
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(await plain.text()).toBe(bundle.html)
    expect(plain.headers.get('content-security-policy')).toContain("default-src 'self'")
  })

  it('should answer 304 to a matching If-None-Match or a recent If-Modified-Since, and 200 to a stale ETag', async () => {
    const first = await get('/terminal', { 'accept-encoding': 'gzip' })
    const etag = first.headers.get('etag')!
    const lastModified = first.headers.get('last-modified')!
    expect(etag).toMatch(/^"[0-9a-z]+-gzip"$/)
    expect(first.headers.get('cache-control')).toBe('no-cache')
    const again = await get('/terminal', { 'accept-encoding': 'gzip', 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect((await again.arrayBuffer()).byteLength).toBe(0)
    const stale = await get('/terminal', { 'accept-encoding': 'gzip', 'if-none-match': '"other"' })
    expect(stale.status).toBe(200)
    const since = await get(bundle.jsPath, { 'if-modified-since': lastModified })
    expect(since.status).toBe(304)
    const older = await get(bundle.jsPath, { 'if-modified-since': new Date(Date.parse(lastModified) - 60_000).toUTCString() })
    expect(older.status).toBe(200)
  })

  it('should pick the coding by the q-values', () => {
    expect(chooseEncoding('')).toBe('identity')
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip')
    expect(chooseEncoding('*')).toBe('br')
    expect(chooseEncoding('*;q=0, identity')).toBe('identity')
    expect(chooseEncoding('GZIP;q=0.5')).toBe('gzip')
  })
})
