import { describe, expect, it } from 'bun:test'
import { parseSplitsPage } from './massive-splits'

describe('parseSplitsPage', () => {
  it('should read the /stocks/v1/splits shape (string id, float ratios, adjustment type, cumulative factor)', () => {
    const page = parseSplitsPage({
      status: 'OK',
      results: [
        { id: 'E8e1b0', ticker: 'AAPL', execution_date: '2020-08-31', split_from: 1.0, split_to: 4.0, adjustment_type: 'forward_split', historical_adjustment_factor: 0.25 },
        { id: 'E77aa1', ticker: 'XYZ', execution_date: '2024-03-04', split_from: 10.0, split_to: 1.0, adjustment_type: 'reverse_split', historical_adjustment_factor: 10 },
      ],
      next_url: 'https://api.massive.com/stocks/v1/splits?cursor=abc',
    })
    expect(page.splits).toEqual([
      { ticker: 'AAPL', executionDate: '2020-08-31', splitFrom: 1, splitTo: 4 },
      { ticker: 'XYZ', executionDate: '2024-03-04', splitFrom: 10, splitTo: 1 },
    ])
    expect(page.nextUrl).toBe('https://api.massive.com/stocks/v1/splits?cursor=abc')
  })

  it('should read the older /v3/reference/splits shape, and skip items it cannot use', () => {
    const page = parseSplitsPage({
      status: 'OK',
      request_id: 'r',
      results: [
        { id: 'abc', ticker: 'AAPL', execution_date: '2014-06-09', split_from: 1, split_to: 7 },
        { id: 'bad1', ticker: 'BAD', execution_date: '2014-02-30', split_from: 1, split_to: 2 },
        { id: 'bad2', ticker: 'BAD', execution_date: '2014-06-09', split_from: 0, split_to: 2 },
        { id: 'bad3', execution_date: '2014-06-09', split_from: 1, split_to: 2 },
        'not an object',
      ],
    })
    expect(page).toEqual({ splits: [{ ticker: 'AAPL', executionDate: '2014-06-09', splitFrom: 1, splitTo: 7 }], nextUrl: null })
  })

  it('should take a missing results as no splits, and refuse a body of the wrong shape', () => {
    expect(parseSplitsPage({ status: 'OK' }).splits).toEqual([])
    expect(() => parseSplitsPage({ status: 'OK', results: 7 })).toThrow(/unexpected shape/)
    expect(() => parseSplitsPage([])).toThrow(/unexpected shape/)
  })
})
