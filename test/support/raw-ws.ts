/** A raw TCP WebSocket client for tests: it can refuse to answer pings and stop reading, which real clients never do. */
import net from 'node:net'

export interface RawClosed {
  code: number | null
  reason: string
}

/**
 * Speaks just enough RFC 6455: the handshake, masked text frames out, text/ping/close frames in.
 * `answerPings = false` makes it a dead peer; `pause()` stops reading from the socket so the
 * server's send buffer fills (TCP flow control), `resume()` reads again.
 */
export class RawWebSocket {
  readonly messages: any[] = []
  pingsReceived = 0
  bytesReceived = 0
  answerPings = true
  closeFrame: RawClosed | null = null
  readonly ended: Promise<RawClosed>
  private buffer: Buffer = Buffer.alloc(0)
  private onEnded!: (c: RawClosed) => void

  private constructor(private readonly socket: net.Socket) {
    this.ended = new Promise((resolve) => (this.onEnded = resolve))
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('close', () => this.onEnded(this.closeFrame ?? { code: null, reason: 'tcp closed' }))
    socket.on('error', () => {})
  }

  static async connect(port: number, path: string): Promise<RawWebSocket> {
    const socket = net.createConnection({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    )
    const head = await new Promise<Buffer>((resolve) => {
      let acc = Buffer.alloc(0)
      const onData = (chunk: Buffer) => {
        acc = Buffer.concat([acc, chunk])
        const end = acc.indexOf('\r\n\r\n')
        if (end < 0) return
        socket.off('data', onData)
        const rest = acc.subarray(end + 4)
        if (rest.length > 0) socket.unshift(rest)
        resolve(acc.subarray(0, end))
      }
      socket.on('data', onData)
    })
    if (!head.toString().startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${head.toString().split('\r\n')[0]}`)
    return new RawWebSocket(socket)
  }

  send(text: string): void {
    this.writeFrame(0x1, Buffer.from(text))
  }

  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  destroy(): void {
    this.socket.destroy()
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    const mask = crypto.getRandomValues(new Uint8Array(4))
    const len = payload.length
    const header = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.alloc(4)
    if (len >= 126) {
      if (len > 0xffff) throw new Error('frame too large for this client')
      header[0] = 0x80 | opcode
      header[1] = 0x80 | 126
      header.writeUInt16BE(len, 2)
    }
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))
    if (!this.socket.destroyed) this.socket.write(Buffer.concat([header, Buffer.from(mask), masked]))
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    for (;;) {
      if (this.buffer.length < 2) return
      const opcode = this.buffer[0] & 0x0f
      let len = this.buffer[1] & 0x7f
      let offset = 2
      if (len === 126) {
        if (this.buffer.length < 4) return
        len = this.buffer.readUInt16BE(2)
        offset = 4
      } else if (len === 127) {
        if (this.buffer.length < 10) return
        len = Number(this.buffer.readBigUInt64BE(2))
        offset = 10
      }
      if (this.buffer.length < offset + len) return
      const payload = this.buffer.subarray(offset, offset + len)
      this.buffer = this.buffer.subarray(offset + len)
      this.onFrame(opcode, payload)
    }
  }

  private onFrame(opcode: number, payload: Buffer): void {
    if (opcode === 0x1) this.messages.push(JSON.parse(payload.toString()))
    else if (opcode === 0x9) {
      this.pingsReceived++
      if (this.answerPings) this.writeFrame(0xa, Buffer.from(payload))
    } else if (opcode === 0x8) {
      this.closeFrame = { code: payload.length >= 2 ? payload.readUInt16BE(0) : null, reason: payload.subarray(2).toString() }
      this.socket.end()
    }
  }
}
