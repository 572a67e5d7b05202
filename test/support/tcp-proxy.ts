/** A TCP proxy whose target can be switched: new connections go to the new target, open ones stay where they are (a client left on an old server). */
import { connect, createServer, type Server, type Socket } from 'node:net'

export class RetargetableProxy {
  readonly url: Promise<string>
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private target: number

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
      upstream.pipe(client)
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

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
