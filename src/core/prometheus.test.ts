import { describe, expect, it } from 'bun:test'
import { parseExposition } from '../../test/support/exposition'
import { Histogram, escapeHelp, escapeLabelValue, formatValue, renderExposition } from './prometheus'

describe('prometheus exposition', () => {
  it('should write HELP and TYPE before the samples of each family, and end with a newline', () => {
    const text = renderExposition([
      { name: 'app_requests_total', help: 'Requests.', type: 'counter', samples: [{ value: 3 }] },
      { name: 'app_open', help: 'Open things.', type: 'gauge', samples: [{ labels: { kind: 'a' }, value: 1.5 }] },
    ])
    expect(text).toBe(
      [
        '# HELP app_requests_total Requests.',
        '# TYPE app_requests_total counter',
        'app_requests_total 3',
        '# HELP app_open Open things.',
        '# TYPE app_open gauge',
        'app_open{kind="a"} 1.5',
        '',
      ].join('\n'),
    )
  })

  it('should escape backslash, quote and newline in label values, and backslash and newline in HELP', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd')
    expect(escapeHelp('x\\y\n"z"')).toBe('x\\\\y\\n"z"')
    const text = renderExposition([
      {
        name: 'odd_total',
        help: 'line one\nline "two" \\',
        type: 'counter',
        samples: [{ labels: { path: 'a"\\\n' }, value: 1 }],
      },
    ])
    expect(text).toContain('# HELP odd_total line one\\nline "two" \\\\\n')
    expect(text).toContain('odd_total{path="a\\"\\\\\\n"} 1\n')
    const parsed = parseExposition(text)
    expect(parsed.families.get('odd_total')!.help).toBe('line one\nline "two" \\')
    expect(parsed.value('odd_total', { path: 'a"\\\n' })).toBe(1)
  })

  it('should refuse a counter that does not end in _total, and bad metric or label names', () => {
    expect(() => renderExposition([{ name: 'requests', help: '', type: 'counter', samples: [] }])).toThrow(/_total/)
    expect(() => renderExposition([{ name: '1bad', help: '', type: 'gauge', samples: [] }])).toThrow(/metric name/)
    expect(() =>
      renderExposition([{ name: 'g', help: '', type: 'gauge', samples: [{ labels: { 'a-b': 'x' }, value: 1 }] }]),
    ).toThrow(/label name/)
    expect(() =>
      renderExposition([{ name: 'g', help: '', type: 'gauge', samples: [{ labels: { __name__: 'x' }, value: 1 }] }]),
    ).toThrow(/label name/)
  })

  it('should render a histogram as cumulative _bucket lines ending in +Inf, then _sum and _count', () => {
    const h = new Histogram([0.01, 0.1, 1])
    for (const v of [0.005, 0.01, 0.05, 0.5, 3]) h.observe(v)
    const text = renderExposition([
      { name: 'lat_seconds', help: 'Latency.', type: 'histogram', series: [{ labels: { route: '/x' }, histogram: h }] },
    ])
    expect(text.split('\n').slice(2, -1)).toEqual([
      'lat_seconds_bucket{route="/x",le="0.01"} 2',
      'lat_seconds_bucket{route="/x",le="0.1"} 3',
      'lat_seconds_bucket{route="/x",le="1"} 4',
      'lat_seconds_bucket{route="/x",le="+Inf"} 5',
      'lat_seconds_sum{route="/x"} 3.565',
      'lat_seconds_count{route="/x"} 5',
    ])
    expect(parseExposition(text).families.get('lat_seconds')!.type).toBe('histogram')
  })

  it('should refuse histogram bounds that do not increase', () => {
    expect(() => new Histogram([1, 1])).toThrow(RangeError)
  })

  it('should format special floats the way Prometheus reads them', () => {
    expect([NaN, Infinity, -Infinity, 0, 42, 0.25, 1e21].map(formatValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0',
      '42',
      '0.25',
      '1e+21',
    ])
  })
})
