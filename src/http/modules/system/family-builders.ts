/** Builders of /metrics families: a counter or gauge from one number or its samples, labelled counts, one sample per state. */
import type { Labels, MetricFamily, Sample } from '../../../core/prometheus'

/** A counter or gauge family of one unlabelled value, or of the samples given. */
const simple =
  (type: 'counter' | 'gauge') =>
  (name: string, help: string, value: number | Sample[]): MetricFamily => ({
    name,
    help,
    type,
    samples: typeof value === 'number' ? [{ value }] : value,
  })
export const gauge = simple('gauge')
export const counter = simple('counter')

/** One sample per counted key, labelled by `labels(key)`. */
export function labelled<K>(counts: Iterable<[K, number]>, labels: (key: K) => Labels): Sample[] {
  return [...counts].map(([key, value]) => ({ labels: labels(key), value }))
}

/** One sample per possible value of `label`: 1 on `current`, 0 on the others. */
export function oneOf<T extends string>(label: string, current: T, all: readonly T[]): Sample[] {
  return all.map((v) => ({ labels: { [label]: v }, value: v === current ? 1 : 0 }))
}

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
