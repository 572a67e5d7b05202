/** What the bench ran on: cores, memory, CPU model, kernel, runtimes and servers, open-files limit. */
import { cpus, totalmem } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { postgresVersion } from './pg'

async function out(cmd: string[]): Promise<string | null> {
  try {
    const p = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'ignore' })
    return (await p.exited) === 0 ? (await new Response(p.stdout).text()).trim() : null
  } catch {
    return null
  }
}

export interface Machine {
  nproc: number
  memoryGiB: number
  cpu: string
  kernel: string | null
  bun: string
  node: string | null
  postgres: string | null
  redis: string | null
  socketIo: string | null
  openFilesLimit: string | null
}

export async function describeMachine(redisUrl: string): Promise<Machine> {
  const redisInfo = await out(['redis-cli', '-u', redisUrl, 'info', 'server'])
  let socketIo: string | null = null
  try {
    const lock = JSON.parse(
      readFileSync(join(import.meta.dir, '..', 'baselines', 'socketio', 'package-lock.json'), 'utf8'),
    )
    socketIo = lock.packages?.['node_modules/socket.io']?.version ?? null
  } catch {}
  return {
    nproc: Number((await out(['nproc'])) ?? cpus().length),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpus()[0]?.model ?? 'unknown',
    kernel: await out(['uname', '-sr']),
    bun: Bun.version,
    node: await out(['node', '--version']),
    postgres: await postgresVersion(),
    redis: /redis_version:(\S+)/.exec(redisInfo ?? '')?.[1] ?? null,
    socketIo,
    openFilesLimit: await out(['sh', '-c', 'ulimit -n']),
  }
}
