/** A tiny parser of the Prometheus text format (0.0.4) for tests: families with HELP, TYPE and their samples. */

export interface ParsedSample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface ParsedFamily {
  help: string
  type: string
  samples: ParsedSample[]
}

export class Exposition {
  constructor(readonly families: Map<string, ParsedFamily>) {}

  /** Every sample of the family `name` (histograms: its _bucket, _sum and _count lines) matching `labels`. */
  samples(name: string, labels: Record<string, string> = {}): ParsedSample[] {
    const family = this.families.get(name)
    if (family === undefined) throw new Error(`no metric family ${name}`)
    return family.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  }

  /** The value of the single sample named `name` (a family member) with these labels; 0 when the family has none. */
  value(name: string, labels: Record<string, string> = {}, family = name): number {
    const found = this.samples(family, labels).filter((s) => s.name === name)
    if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
    return found[0]?.value ?? 0
  }

  /** The sum over every sample of `name` matching `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((a, s) => a + s.value, 0)
  }
}

/** Parses the exposition; throws on a line it does not understand or a sample before its TYPE. */
export function parseExposition(text: string): Exposition {
  const families = new Map<string, ParsedFamily>()
  const familyOf = (sample: string): ParsedFamily | undefined =>
    families.get(sample) ?? families.get(sample.replace(/_(bucket|sum|count)$/, ''))
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][\w:]*) (.*)$/.exec(line)
    if (meta) {
      const [, kind, name, rest] = meta
      const family = families.get(name) ?? { help: '', type: 'untyped', samples: [] }
      families.set(name, family)
      if (kind === 'HELP') family.help = rest.replace(/\\(\\|n)/g, (_, c) => (c === 'n' ? '\n' : '\\'))
      else family.type = rest
      continue
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`unreadable exposition line: ${line}`)
    const [, name, rawLabels, rawValue] = m
    const family = familyOf(name)
    if (family === undefined) throw new Error(`sample before its TYPE: ${line}`)
    family.samples.push({ name, labels: parseLabels(rawLabels ?? ''), value: parseValue(rawValue) })
  }
  return new Exposition(families)
}

function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {}
  const pair = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"(,|$)/y
  while (pair.lastIndex < raw.length) {
    const m = pair.exec(raw)
    if (!m) throw new Error(`unreadable labels: {${raw}}`)
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c))
  }
  return labels
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity
  if (raw === '-Inf') return -Infinity
  const n = Number(raw)
  if (raw !== 'NaN' && Number.isNaN(n)) throw new Error(`unreadable value: ${raw}`)
  return n
}
