/** The child side of the bench's JSON-line protocol: commands from stdin, replies on stdout, a hard deadline, exit when the parent goes. */

type Handler = (msg: Record<string, any>) => unknown | Promise<unknown>

/** Writes one JSON line to stdout. */
export function reply(msg: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(msg) + '\n')
}

/**
 * Serves commands `{cmd, ...}` from stdin, one at a time, answering `{re: cmd, ...result}` (or
 * `{re: cmd, error}`); exits when stdin closes (the bench went away) or after `deadlineMs`.
 */
export async function serveCommands(handler: Handler, opts: { deadlineMs?: number; onExit?: () => void } = {}) {
  const deadline = setTimeout(
    () => {
      process.stderr.write('deadline reached, exiting\n')
      process.exit(3)
    },
    opts.deadlineMs ?? Number(process.env.BENCH_DEADLINE_MS ?? 600_000),
  )
  deadline.unref()
  process.on('SIGTERM', () => {
    opts.onExit?.()
    process.exit(0)
  })
  for await (const line of console) {
    if (!line.trim()) continue
    let msg: Record<string, any>
    try {
      msg = JSON.parse(line)
    } catch {
      continue
    }
    try {
      const out = await handler(msg)
      reply({ re: msg.cmd, ...(out && typeof out === 'object' ? out : {}) })
    } catch (e) {
      reply({ re: msg.cmd, error: e instanceof Error ? e.message : String(e) })
    }
  }
  opts.onExit?.()
  process.exit(0)
}
