/** Process entry: load config, build the app, listen, and shut down gracefully on SIGTERM/SIGINT. */
import { createApp } from './app'
import { loadConfig } from './config'
import { ConfigError } from './errors'

/**
 * Last line of defence: a rejection or exception nothing handled (a driver's internal promise when
 * its server goes away, say) is logged and the process keeps serving. Requests are answered by
 * their own handlers; the state lives in the database and Redis, so nothing is lost by carrying on.
 */
function keepRunningOnStrayErrors(): void {
  const report = (kind: string) => (error: unknown) =>
    process.stderr.write(
      JSON.stringify({
        ts: new Date().toISOString(),
        level: 'error',
        msg: `${kind} (the process keeps running)`,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        code: (error as { code?: unknown })?.code ?? null,
        stack: error instanceof Error ? error.stack?.split('\n').slice(0, 8).join(' | ') : undefined,
      }) + '\n',
    )
  process.on('unhandledRejection', report('unhandled rejection'))
  process.on('uncaughtException', report('uncaught exception'))
}

async function main(): Promise<void> {
  keepRunningOnStrayErrors()
  let config
  try {
    config = loadConfig(process.env)
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`)
      process.exit(2)
    }
    throw e
  }
  const app = await createApp(config)
  const { url } = await app.listen()
  process.stdout.write(
    JSON.stringify({
      ts: new Date().toISOString(),
      level: 'info',
      msg: 'listening',
      url,
      terminal: `${url}/terminal`,
      docs: `${url}/docs`,
      database: app.db.kind,
    }) + '\n',
  )
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    const timer = setTimeout(() => process.exit(1), 10_000)
    await app.stop().catch(() => {})
    clearTimeout(timer)
    process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), level: 'info', msg: 'stopped', signal }) + '\n')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((e) => {
  process.stderr.write(`fatal: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
