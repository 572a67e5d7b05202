/** Fresh PostgreSQL databases for the bench: created with psql, always dropped (also when the bench is interrupted). */

import { onInterrupt } from './child'

const host = process.env.BENCH_PG_HOST ?? '127.0.0.1'
const user = process.env.BENCH_PG_USER ?? 'postgres'
const created = new Set<string>()

async function psql(sql: string): Promise<void> {
  const p = Bun.spawn(['psql', '-h', host, '-U', user, '-d', 'postgres', '-qAtc', sql], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const code = await p.exited
  if (code !== 0) throw new Error(`psql failed (${code}): ${await new Response(p.stderr).text()}`)
}

/** Creates `mw_bench_<tag>_<time>` and returns its URL. */
export async function createDatabase(tag: string): Promise<{ name: string; url: string }> {
  const name = `mw_bench_${tag}_${Date.now().toString(36)}_${process.pid}`
  await psql(`create database ${name}`)
  if (created.size === 0) onInterrupt(dropAll)
  created.add(name)
  return { name, url: `postgres://${user}@${host}:5432/${name}` }
}

export async function dropDatabase(name: string): Promise<void> {
  await psql(`drop database if exists ${name} with (force)`)
  created.delete(name)
}

/** Drops every database this process created and has not dropped yet. */
export async function dropAll(): Promise<void> {
  for (const name of [...created]) await dropDatabase(name).catch(() => {})
}

export async function postgresVersion(): Promise<string | null> {
  const p = Bun.spawn(['psql', '-h', host, '-U', user, '-d', 'postgres', '-qAtc', 'show server_version'], {
    stdout: 'pipe',
    stderr: 'ignore',
  })
  return (await p.exited) === 0 ? (await new Response(p.stdout).text()).trim() : null
}
