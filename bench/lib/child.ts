/** Child processes of the bench: JSON-line control over stdin/stdout, a global registry that kills them all on exit, and /proc CPU/RSS probes. */
import type { Subprocess } from 'bun'

const live = new Set<Child>()
const cleanups: (() => Promise<void>)[] = []
let hooked = false

/** Work to do when the bench is interrupted (after the children are killed): drop databases, delete keys. */
export function onInterrupt(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup)
  hookExit()
}

/** Kill every child still running (SIGTERM, then SIGKILL after graceMs). Safe to call many times. */
export async function killAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(graceMs)))
}

function hookExit(): void {
  if (hooked) return
  hooked = true
  const bail = (signal: string) => {
    process.stderr.write(`\nbench: ${signal}, stopping children…\n`)
    killAll(1000)
      .then(() => Promise.allSettled(cleanups.map((c) => c())))
      .finally(() => process.exit(130))
  }
  process.on('SIGINT', () => bail('SIGINT'))
  process.on('SIGTERM', () => bail('SIGTERM'))
  process.on('exit', () => {
    for (const c of live) c.proc.kill('SIGKILL')
  })
}

export interface ChildOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  /** Hard ceiling on the child's life; the bench kills it after this. @default 600_000 */
  maxLifeMs?: number
}

type Msg = Record<string, any>

/** A child that speaks JSON lines: commands in on stdin, one JSON object per stdout line out. */
export class Child {
  readonly proc: Subprocess<'pipe', 'pipe', 'pipe'>
  private readonly inbox: Msg[] = []
  private waiters: { match: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = []
  private stderrTail: string[] = []
  private killer: Timer
  exited = false

  constructor(
    readonly name: string,
    cmd: string[],
    opts: ChildOptions = {},
  ) {
    hookExit()
    // Raise the open-files limit to the workplace cap of 20,000 (never above), then exec the command.
    const wrapped = ['sh', '-c', 'ulimit -n 20000 2>/dev/null || true; exec "$@"', 'sh', ...cmd]
    this.proc = Bun.spawn(wrapped, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env } as Record<string, string>,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    live.add(this)
    this.killer = setTimeout(() => this.proc.kill('SIGKILL'), opts.maxLifeMs ?? 600_000)
    this.killer.unref()
    void this.proc.exited.then(() => {
      this.exited = true
      live.delete(this)
      clearTimeout(this.killer)
    })
    void this.pump(this.proc.stdout, (line) => this.onLine(line))
    void this.pump(this.proc.stderr, (line) => {
      this.stderrTail.push(line)
      if (this.stderrTail.length > 40) this.stderrTail.shift()
      if (process.env.BENCH_VERBOSE) process.stderr.write(`[${this.name}] ${line}\n`)
    })
  }

  get pid(): number {
    return this.proc.pid
  }

  /** The last lines the child wrote to stderr (for error reports). */
  stderr(): string {
    return this.stderrTail.join('\n')
  }

  send(msg: Msg): void {
    if (this.exited) return
    this.proc.stdin.write(JSON.stringify(msg) + '\n')
    this.proc.stdin.flush()
  }

  /** Resolves with the next (or an already received) message matching `match`. */
  next(match: (m: Msg) => boolean, timeoutMs = 30_000): Promise<Msg> {
    const i = this.inbox.findIndex(match)
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!)
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (m: Msg) => (clearTimeout(t), resolve(m)) }
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w)
        reject(
          new Error(`${this.name}: no reply within ${timeoutMs} ms${this.exited ? ' (exited)' : ''}\n${this.stderr()}`),
        )
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  /** Sends `{cmd, ...args}` and waits for the reply `{re: cmd, ...}`. */
  async ask(cmd: string, args: Msg = {}, timeoutMs = 30_000): Promise<Msg> {
    this.send({ cmd, ...args })
    const reply = await this.next((m) => m.re === cmd, timeoutMs)
    if (reply.error) throw new Error(`${this.name}: ${cmd} failed: ${reply.error}`)
    return reply
  }

  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return
    try {
      this.proc.stdin.end()
    } catch {}
    this.proc.kill('SIGTERM')
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs)
    await this.proc.exited
    clearTimeout(t)
  }

  private onLine(line: string): void {
    let msg: Msg
    try {
      msg = JSON.parse(line)
    } catch {
      msg = { text: line }
    }
    const w = this.waiters.find((x) => x.match(msg))
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w)
      w.resolve(msg)
    } else {
      this.inbox.push(msg)
      if (this.inbox.length > 1000) this.inbox.shift()
    }
  }

  private async pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
    const decoder = new TextDecoder()
    let buf = ''
    for await (const chunk of stream) {
      buf += decoder.decode(chunk, { stream: true })
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim()
        buf = buf.slice(nl + 1)
        if (line) onLine(line)
      }
    }
  }
}

/** CPU seconds (user + system) and RSS bytes of a process, from /proc. */
export async function procUsage(pid: number): Promise<{ cpuSec: number; rssBytes: number } | null> {
  try {
    const stat = await Bun.file(`/proc/${pid}/stat`).text()
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 (state): utime = field 14, stime = field 15 → indices 11, 12.
    const cpuSec = (Number(fields[11]) + Number(fields[12])) / 100
    const status = await Bun.file(`/proc/${pid}/status`).text()
    const rss = /VmRSS:\s+(\d+) kB/.exec(status)
    return { cpuSec, rssBytes: rss ? Number(rss[1]) * 1024 : 0 }
  } catch {
    return null
  }
}

/** Measures CPU use (in cores) of several processes over a window: call start(), then end(). */
export class CpuMeter {
  private t0 = 0
  private before = new Map<number, number>()
  constructor(private readonly pids: () => number[]) {}

  async start(): Promise<void> {
    this.t0 = performance.now()
    this.before.clear()
    for (const pid of this.pids()) this.before.set(pid, (await procUsage(pid))?.cpuSec ?? 0)
  }

  /** Cores used on average since start(), summed over the processes. */
  async end(): Promise<number> {
    const sec = (performance.now() - this.t0) / 1000
    let used = 0
    for (const [pid, cpu0] of this.before) used += ((await procUsage(pid))?.cpuSec ?? cpu0) - cpu0
    return sec > 0 ? used / sec : 0
  }
}

/** The whole machine's busy CPU time (all processes), in cores over a window. */
export async function machineBusySec(): Promise<number> {
  const line = (await Bun.file('/proc/stat').text()).split('\n')[0]!.split(/\s+/).slice(1).map(Number)
  const idle = (line[3] ?? 0) + (line[4] ?? 0)
  const total = line.reduce((a, b) => a + b, 0)
  return (total - idle) / 100
}
