#!/usr/bin/env node
/** Runs Bun with the given arguments on a machine that has only Node and npm: installs Bun from npm and the locked dependencies first. */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bunVersion = '1.4.5'
const localBun = join(root, '.tools', 'node_modules', '.bin', 'bun')

function findBun() {
  if (existsSync(localBun)) return localBun
  const probe = spawnSync('bun', ['--version'], { encoding: 'utf8' })
  if (probe.status === 0) return 'bun'
  process.stderr.write(`installing bun@${bunVersion} from the npm registry into .tools/ ...\n`)
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', join(root, '.tools'), `bun@${bunVersion}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return localBun
}

const bun = findBun()
const marker = join(root, 'node_modules', '.bun-installed')
const lock = join(root, 'bun.lock')
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  execFileSync(bun, ['install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit' })
  execFileSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`])
}
const run = spawnSync(bun, process.argv.slice(2), { cwd: root, stdio: 'inherit' })
process.exit(run.status ?? 1)
