/** Property-test helpers over fast-check: a moderate run count (src tests stay fast) and "returns or throws only a typed error with a documented code". */
import fc from 'fast-check'
import { AppError } from '../../src/errors'

/** Runs per property: enough to find a parser's crash, few enough that `bun test src` stays quick. */
export const propertyRuns = { numRuns: 300 }

/** Checks a property with propertyRuns (fast-check shrinks and reports the smallest failing input with its seed). */
export function holds(property: fc.IProperty<any>, runs = propertyRuns): void {
  fc.assert(property, runs)
}

/**
 * What calling fn came to: `ok` with its value, or the code of the AppError it threw. Anything
 * else it throws (TypeError, URIError, RangeError, an error with a code outside `documented`)
 * fails the property.
 */
export function outcome<T>(
  documented: readonly string[],
  fn: () => T,
): { ok: true; value: T } | { ok: false; code: string } {
  let value: T
  try {
    value = fn()
  } catch (e) {
    if (e instanceof AppError && documented.includes(e.code)) return { ok: false, code: e.code }
    throw e
  }
  return { ok: true, value }
}

/** Strings a client can type, weighted toward the characters parsers split and decode on. */
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '%',
      '=',
      ';',
      ',',
      '.',
      ':',
      ' ',
      '"',
      '\\',
      '-',
      'A',
      'z',
      '0',
      '9',
      'O',
      'C',
      'P',
      'T',
      'Z',
      '+',
    ),
    maxLength: 30,
  }),
  fc.constantFrom(
    '',
    ' ',
    '%',
    '%E0%A4%A',
    '%zz',
    '\u0000',
    '\uD800',
    'null',
    '[]',
    '{}',
    '1e400',
    '-0',
    'NaN',
    '__proto__',
  ),
)
