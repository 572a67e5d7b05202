/** Bar-for-bar comparison of a client's bars with REST: missing, extra, duplicate and differing values. */
import type { WireBar } from '../../../src/client/wire'

/** Every disagreement as a line; empty when both sides hold exactly the same bars. */
export function divergences(client: readonly WireBar[], rest: readonly WireBar[]): string[] {
  const iso = (t: number) => new Date(t).toISOString()
  const byT = new Map(rest.map((b) => [b.t, b]))
  const out: string[] = []
  const seen = new Set<number>()
  for (const b of client) {
    if (seen.has(b.t)) out.push(`duplicate bar ${iso(b.t)}`)
    seen.add(b.t)
    const r = byT.get(b.t)
    if (!r) {
      if (!rest.some((x) => x.t === b.t)) out.push(`extra bar ${iso(b.t)}`)
      continue
    }
    for (const k of ['o', 'h', 'l', 'c', 'v', 'vw', 'n'] as const)
      if (b[k] !== r[k]) out.push(`${iso(b.t)} ${k}: client ${b[k]} rest ${r[k]}`)
    byT.delete(b.t)
  }
  for (const t of byT.keys()) out.push(`missing bar ${iso(t)}`)
  return out
}
