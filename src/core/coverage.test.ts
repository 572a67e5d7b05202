/** Coverage interval math. */
import { describe, expect, it } from 'bun:test'
import { mergeRanges, missingRanges, segments } from './coverage'

describe('coverage', () => {
  it('should merge overlapping and adjacent ranges', () => {
    expect(
      mergeRanges([
        [5, 7],
        [0, 2],
        [2, 3],
        [6, 9],
        [10, 10],
      ]),
    ).toEqual([
      [0, 3],
      [5, 9],
    ])
  })
  it('should list the gaps of a range', () => {
    expect(missingRanges([], 0, 10)).toEqual([[0, 10]])
    expect(missingRanges([[0, 10]], 2, 8)).toEqual([])
    expect(
      missingRanges(
        [
          [2, 4],
          [6, 8],
        ],
        0,
        10,
      ),
    ).toEqual([
      [0, 2],
      [4, 6],
      [8, 10],
    ])
    expect(
      missingRanges(
        [
          [-5, 3],
          [9, 20],
        ],
        0,
        10,
      ),
    ).toEqual([[3, 9]])
  })
  it('should cut a range into bounded segments', () => {
    expect(segments([0, 25], 10)).toEqual([
      [0, 10],
      [10, 20],
      [20, 25],
    ])
  })
})
