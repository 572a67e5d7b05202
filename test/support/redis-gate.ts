/** A TCP proxy in front of Redis that can hold a chosen SUBSCRIBE on its way to the server: opens the "not yet subscribed" window on demand, without sleeps. */
import { createServer, connect, type Server, type Socket } from 'node:net'

interface Hold {
  /** Part of the channel name the held SUBSCRIBE must carry. */
  channel: string
  held: () => void
}

/**
 * Everything a client sends passes through untouched, except once `holdSubscribe` is armed: the
 * first chunk carrying a SUBSCRIBE of a matching channel is kept, with everything its
 * connection sends after it (order is preserved), until `release()`. Replies are never held, so
 * the client sees exactly a slow SUBSCRIBE. Loopback writes of one command arrive whole.
 */
export class RedisGateProxy {
  readonly url: Promise<string>
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private armed: Hold | null = null
  private held: { upstream: Socket; chunks: Buffer[] } | null = null

  constructor(target: string) {
    const { hostname, port } = new URL(target)
    this.server = createServer((client) => {
      const upstream = connect(Number(port || 6379), hostname)
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('error', () => {})
        socket.on('close', () => {
          this.sockets.delete(socket)
          client.destroy()
          upstream.destroy()
        })
      }
      upstream.on('data', (chunk: Buffer) => client.write(chunk))
      client.on('data', (chunk: Buffer) => this.forward(upstream, chunk))
    })
    this.url = new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address()
        resolve(`redis://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
      }),
    )
  }

  /** Resolves once a SUBSCRIBE naming a channel that contains `channel` is held here (not yet at Redis). */
  holdSubscribe(channel: string): Promise<void> {
    return new Promise((held) => (this.armed = { channel, held }))
  }

  /** Sends what was held, in order, and lets that connection flow again. */
  release(): void {
    const held = this.held
    this.held = null
    for (const chunk of held?.chunks ?? []) held!.upstream.write(chunk)
  }

  async close(): Promise<void> {
    this.release()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private forward(upstream: Socket, chunk: Buffer): void {
    if (this.held?.upstream === upstream) {
      this.held.chunks.push(chunk)
      return
    }
    const armed = this.armed
    if (armed !== null && isSubscribeOf(chunk.toString('latin1'), armed.channel)) {
      this.armed = null
      this.held = { upstream, chunks: [chunk] }
      armed.held()
      return
    }
    upstream.write(chunk)
  }
}

/** A RESP SUBSCRIBE command (`$9\r\nsubscribe\r\n`, not UNSUBSCRIBE or PSUBSCRIBE) naming the channel part. */
function isSubscribeOf(text: string, channel: string): boolean {
  return /\$9\r\nsubscribe\r\n/i.test(text) && text.includes(channel)
}
