/** Prometheus text exposition (format 0.0.4): metric families rendered to text, and the histogram state they read. */

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8'

export type Labels = Record<string, string>

export interface Sample {
  labels?: Labels
  value: number
}

/** One labelled series of a histogram family. */
export interface HistogramSeries {
  labels?: Labels
  histogram: Histogram
}

export type MetricFamily =
  | { name: string; help: string; type: 'counter' | 'gauge'; samples: Sample[] }
  | { name: string; help: string; type: 'histogram'; series: HistogramSeries[] }

/**
 * Observations counted into fixed buckets. `observe` is a short scan over the bounds and three
 * number updates: no allocation.
 */
export class Histogram {
  /** counts[i] = observations in (bounds[i-1], bounds[i]]; counts[bounds.length] = above the last bound. */
  readonly counts: number[]
  sum = 0
  count = 0

  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++)
      if (!(bounds[i] > bounds[i - 1])) throw new RangeError('histogram bounds must increase')
    this.counts = new Array(bounds.length + 1).fill(0)
  }

  observe(value: number): void {
    let i = 0
    while (i < this.bounds.length && value > this.bounds[i]) i++
    this.counts[i]++
    this.sum += value
    this.count++
  }
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const labelPattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** Renders families in order; throws on a bad metric or label name, or a counter not named `*_total`. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = []
  for (const f of families) {
    if (!namePattern.test(f.name)) throw new RangeError(`bad metric name: ${f.name}`)
    if (f.type === 'counter' && !f.name.endsWith('_total')) throw new RangeError(`counter ${f.name} must end in _total`)
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`)
    if (f.type !== 'histogram') {
      for (const s of f.samples) lines.push(sampleLine(f.name, s.labels, s.value))
      continue
    }
    for (const { labels, histogram: h } of f.series) {
      let cumulative = 0
      for (let i = 0; i < h.bounds.length; i++) {
        cumulative += h.counts[i]
        lines.push(sampleLine(`${f.name}_bucket`, { ...labels, le: formatValue(h.bounds[i]) }, cumulative))
      }
      lines.push(sampleLine(`${f.name}_bucket`, { ...labels, le: '+Inf' }, h.count))
      lines.push(sampleLine(`${f.name}_sum`, labels, h.sum), sampleLine(`${f.name}_count`, labels, h.count))
    }
  }
  return lines.join('\n') + '\n'
}

function sampleLine(name: string, labels: Labels | undefined, value: number): string {
  if (labels === undefined) return `${name} ${formatValue(value)}`
  const pairs: string[] = []
  for (const key in labels) {
    if (!labelPattern.test(key) || key.startsWith('__')) throw new RangeError(`bad label name: ${key}`)
    pairs.push(`${key}="${escapeLabelValue(labels[key])}"`)
  }
  return pairs.length === 0 ? `${name} ${formatValue(value)}` : `${name}{${pairs.join(',')}} ${formatValue(value)}`
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))
}

/** HELP text escapes backslash and line feed (quotes stay as they are). */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'))
}

/** Go-style floats: `+Inf`, `-Inf`, `NaN`, otherwise the shortest decimal that round-trips. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}
