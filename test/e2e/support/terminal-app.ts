/** The whole app for client and browser tests: REST, the stream and /terminal on one port, on real time and the simulated market. */
import { createApp } from '../../../src/app'
import type { Clock } from '../../../src/ports/clock'
import { createSystemClock } from '../../../src/adapters/clock/system-clock'
import type { StreamModule } from '../../../src/stream/stream-module'
import { testConfig } from '../../support/harness'

export interface TerminalApp {
  url: string
  /** Always the composition root (reported by the tests). */
  wiredBy: 'app.ts'
  /** The app's stream module (lets tests cut the upstream feed). */
  stream: StreamModule
  stop(): Promise<void>
}

/** Test settings: REST answers the newest minute without reuse, so it can be compared with the stream bar for bar. */
export const terminalTestEnv = {
  BARS_TAIL_TTL_MS: '0',
  SNAPSHOT_CACHE_MS: '0',
  PREFETCH_INTERVAL_SECONDS: '0',
  WS_HEARTBEAT_MS: '2000',
}

/** `clock`: the app's time (e.g. a scaled clock starting in a busy trading session); the real clock by default. */
export async function startTerminalApp(
  env: Record<string, string> = {},
  clock: Clock = createSystemClock(),
): Promise<TerminalApp> {
  const config = testConfig({ ...terminalTestEnv, ...env })
  const app = await createApp(config, { clock })
  const { url } = await app.listen()
  return { url, wiredBy: 'app.ts', stream: app.stream, stop: () => app.stop() }
}
