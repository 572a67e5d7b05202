/**
 * Bundle-time macro: builds the /terminal page once, when the importing file is transpiled (bun run, bun test, and
 * `bun build --compile`, where the result is inlined into the binary, which has no sources for Bun.build to read).
 */
import { join } from 'node:path'
import type { TerminalBundle } from './build'

export function embeddedTerminalBundle(): TerminalBundle {
  const run = Bun.spawnSync([process.execPath, join(import.meta.dir, 'build-cli.ts')], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (run.exitCode !== 0) throw new Error(`terminal build failed: ${run.stderr.toString()}`)
  return JSON.parse(run.stdout.toString()) as TerminalBundle
}
