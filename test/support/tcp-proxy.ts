/** A TCP proxy whose target can be switched (new connections go to the new target, open ones stay: a client left on an old server) and whose server-to-client data can be held (a replication link that lags). */
import { connect, createServer, type Server, type Socket } from 'node:net'

export class RetargetableProxy {
  readonly url: Promise<string>
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private target: number
  /** While set: what servers send is kept here instead of reaching the clients (lost if the connection closes first). */
  private held: { client: Socket; chunk: Buffer }[] | null = null

  constructor(targetPort: number) {
    this.target = targetPort
    this.server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1')
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('error', () => {})
        socket.on('close', () => {
          this.sockets.delete(socket)
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream)
      upstream.on('data', (chunk: Buffer) => {
        if (this.held !== null) this.held.push({ client, chunk })
        else client.write(chunk)
      })
    })
    this.url = new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address()
        resolve(`redis://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
      }),
    )
  }

  /** Connections opened from now on go to `port`; open ones are left alone. */
  retarget(port: number): void {
    this.target = port
  }

  /** From now on, what servers send waits here: the clients hear nothing, their connections stay open. */
  hold(): void {
    this.held ??= []
  }

  /** Delivers what was held (to connections still open) and lets data flow again. */
  release(): void {
    const held = this.held ?? []
    this.held = null
    for (const { client, chunk } of held) if (!client.destroyed) client.write(chunk)
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
