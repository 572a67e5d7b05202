/** A minimal RFC 6455 client over Bun.connect for load generation: one JS call per TCP read (not per message), frames counted in place. */
import type { Socket } from 'bun'

export interface WireEvents<T> {
  /** The 101 arrived; the connection may send. */
  open(c: WireConn<T>): void
  /** One text or binary message: payload is buf[start, end). Do not keep `buf`. */
  message(c: WireConn<T>, buf: Buffer, start: number, end: number): void
  /** Closed by either side, or the handshake failed (code 0 = no close frame). */
  close(c: WireConn<T>, code: number, reason: string): void
}

export interface WireTarget {
  host: string
  port: number
  /** Request target, e.g. `/stream?token=…`. */
  path: string
  /** Source address to bind (127.0.0.x spreads connections over several port ranges). */
  localAddress?: string
}

const mask = Buffer.from([0x12, 0x34, 0x56, 0x78])
const crlf2 = Buffer.from('\r\n\r\n')

/** One client connection. `data` is the caller's per-connection state. */
export class WireConn<T> {
  socket: Socket<WireConn<T>> | null = null
  open = false
  closed = false
  private handshaken = false
  private pending: Buffer | null = null
  private closeCode = 0
  private closeReason = ''

  constructor(
    readonly data: T,
    private readonly ev: WireEvents<T>,
  ) {}

  /** Sends one masked text frame. */
  sendText(text: string): void {
    this.write(frame(0x1, Buffer.from(text)))
  }

  close(code = 1000): void {
    if (this.closed || !this.socket) return
    const body = Buffer.alloc(2)
    body.writeUInt16BE(code)
    this.write(frame(0x8, body))
    this.socket.end()
  }

  /** Hard close, no close frame. */
  terminate(): void {
    this.socket?.terminate()
  }

  write(buf: Buffer): void {
    if (!this.socket || this.closed) return
    const n = this.socket.write(buf)
    if (n < buf.length) this.socket.write(buf.subarray(Math.max(0, n)))
  }

  /** Called with every TCP read. */
  onData(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
    this.pending = null
    let pos = 0
    if (!this.handshaken) {
      const end = buf.indexOf(crlf2)
      if (end < 0) {
        this.pending = Buffer.from(buf)
        return
      }
      const head = buf.toString('latin1', 0, end)
      if (!head.startsWith('HTTP/1.1 101')) {
        this.closeCode = 0
        this.closeReason = head.split('\r\n')[0] ?? 'bad handshake'
        this.socket?.end()
        return
      }
      this.handshaken = true
      this.open = true
      pos = end + 4
      this.ev.open(this)
    }
    const len = buf.length
    while (len - pos >= 2) {
      const b0 = buf[pos]!
      let size = buf[pos + 1]! & 0x7f
      let head = 2
      if (size === 126) {
        if (len - pos < 4) break
        size = buf.readUInt16BE(pos + 2)
        head = 4
      } else if (size === 127) {
        if (len - pos < 10) break
        size = Number(buf.readBigUInt64BE(pos + 2))
        head = 10
      }
      if (len - pos < head + size) break
      const start = pos + head
      const end = start + size
      const op = b0 & 0x0f
      if (op === 0x1 || op === 0x2 || op === 0x0) this.ev.message(this, buf, start, end)
      else if (op === 0x9) this.write(frame(0xa, buf.subarray(start, end)))
      else if (op === 0x8) {
        this.closeCode = size >= 2 ? buf.readUInt16BE(start) : 1005
        this.closeReason = size > 2 ? buf.toString('utf8', start + 2, end) : ''
        this.socket?.end()
      }
      pos = end
    }
    if (pos < len) this.pending = Buffer.from(buf.subarray(pos))
  }

  onClose(): void {
    if (this.closed) return
    this.closed = true
    this.open = false
    this.ev.close(this, this.closeCode, this.closeReason)
  }
}

/** A masked client frame (mask key fixed: this is a load generator, not a browser). */
export function frame(op: number, payload: Buffer): Buffer {
  const n = payload.length
  const head = n < 126 ? 6 : n < 65536 ? 8 : 14
  const out = Buffer.allocUnsafe(head + n)
  out[0] = 0x80 | op
  if (n < 126) out[1] = 0x80 | n
  else if (n < 65536) {
    out[1] = 0x80 | 126
    out.writeUInt16BE(n, 2)
  } else {
    out[1] = 0x80 | 127
    out.writeBigUInt64BE(BigInt(n), 2)
  }
  mask.copy(out, head - 4)
  for (let i = 0; i < n; i++) out[head + i] = payload[i]! ^ mask[i & 3]!
  return out
}

/** Opens one connection and sends the upgrade request; resolves once TCP is connected (not upgraded). */
export async function connectWire<T>(target: WireTarget, data: T, ev: WireEvents<T>): Promise<WireConn<T>> {
  const conn = new WireConn(data, ev)
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const request =
    `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  const options = {
    hostname: target.host,
    port: target.port,
    localAddress: target.localAddress,
    data: conn,
    socket: {
      open(s: Socket<WireConn<T>>) {
        s.data.socket = s
        s.write(request)
      },
      data(s: Socket<WireConn<T>>, chunk: Buffer) {
        s.data.onData(chunk)
      },
      close(s: Socket<WireConn<T>>) {
        s.data.onClose()
      },
      error(s: Socket<WireConn<T>>) {
        s.data.onClose()
      },
      connectError(s: Socket<WireConn<T>>) {
        s.data.onClose()
      },
    },
  }
  try {
    // localAddress is supported by Bun.connect at run time but missing from its type.
    await Bun.connect(options as unknown as Parameters<typeof Bun.connect<WireConn<T>>>[0])
  } catch {
    conn.onClose()
  }
  return conn
}
