/** US-equities (NYSE/Nasdaq) holidays and 13:00 early closes computed by rule for a year, plus the explicit list of unscheduled closures. Pure. */

import {
  DAY_MS,
  dateOfDayIndex,
  dayIndexOfDate,
  dayIndexOfYmd,
  lastWeekdayOfMonth,
  nthWeekdayOfMonth,
  weekdayOfDayIndex,
} from './market-time.ts'

/** A day that is not an ordinary full trading day (weekends aside): closed all day, or regular session ending early. */
export interface SpecialDay {
  /** Day number (0 = 1970-01-01) of the New York date. */
  dayIndex: number
  /** YYYY-MM-DD (New York). */
  date: string
  /** The holiday's name; an early close carries the name of the holiday it is attached to ("Thanksgiving" for the Friday after). */
  name: string
  status: 'closed' | 'early_close'
}

/** Names as Massive's /v1/marketstatus/upcoming spells them where seen (market-rules.md §2.3), else as in §1.1. */
export const HOLIDAY_NAMES = {
  newYear: "New Year's Day",
  mlk: 'Martin Luther King Jr. Day',
  washington: "Washington's Birthday",
  goodFriday: 'Good Friday',
  memorial: 'Memorial Day',
  juneteenth: 'Juneteenth',
  independence: 'Independence Day',
  labor: 'Labor Day',
  thanksgiving: 'Thanksgiving',
  christmas: 'Christmas',
} as const

/**
 * Unscheduled full-day closures since 2012 (market-rules.md §1.3). Closures before 2012 (e.g.
 * 2001-09-11…14) are not listed; later ones come in as calendar overrides (see calendar.ts).
 */
export const UNSCHEDULED_CLOSURES: readonly { date: string; name: string }[] = [
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'National Day of Mourning for George H. W. Bush' },
  { date: '2025-01-09', name: 'National Day of Mourning for Jimmy Carter' },
]

const MONDAY = 1
const WEDNESDAY = 3
const THURSDAY = 4
const FRIDAY = 5
const SATURDAY = 6
const SUNDAY = 0
const [JAN, FEB, MAY, JUN, JUL, SEP, NOV, DEC] = [0, 1, 4, 5, 6, 8, 10, 11]

/** Easter Sunday of a Gregorian year as a day number (anonymous Gregorian algorithm, a.k.a. Meeus/Jones/Butcher). */
export function easterSunday(year: number): number {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return dayIndexOfYmd(year, month - 1, day)
}

/** A fixed-date holiday observed on the nearest weekday: Saturday → the Friday before, Sunday → the Monday after. */
function nearestWeekday(dayIndex: number): number {
  const weekday = weekdayOfDayIndex(dayIndex)
  return weekday === SATURDAY ? dayIndex - 1 : weekday === SUNDAY ? dayIndex + 1 : dayIndex
}

/**
 * Every holiday and 13:00 early close of a year by the current NYSE rules (market-rules.md §1.1–1.2),
 * plus that year's unscheduled closures; ascending by date. Exact for 2000–2100; other years get
 * the same rules (MLK from 1998 and Juneteenth from 2022 are honoured; pre-1993 14:00 closes are not).
 */
export function specialDaysOfYear(year: number): SpecialDay[] {
  const days: [number, string, SpecialDay['status']][] = []
  const closed = (dayIndex: number, name: string) => days.push([dayIndex, name, 'closed'])
  const early = (dayIndex: number, name: string) => days.push([dayIndex, name, 'early_close'])

  // New Year's Day: Sunday → Monday Jan 2; Saturday → not observed (NYSE Rule 7.2: no Friday Dec 31 closure).
  const newYear = dayIndexOfYmd(year, JAN, 1)
  const newYearWeekday = weekdayOfDayIndex(newYear)
  if (newYearWeekday !== SATURDAY) closed(newYearWeekday === SUNDAY ? newYear + 1 : newYear, HOLIDAY_NAMES.newYear)
  if (year >= 1998) closed(nthWeekdayOfMonth(year, JAN, MONDAY, 3), HOLIDAY_NAMES.mlk)
  closed(nthWeekdayOfMonth(year, FEB, MONDAY, 3), HOLIDAY_NAMES.washington)
  closed(easterSunday(year) - 2, HOLIDAY_NAMES.goodFriday)
  closed(lastWeekdayOfMonth(year, MAY, MONDAY), HOLIDAY_NAMES.memorial)
  if (year >= 2022) closed(nearestWeekday(dayIndexOfYmd(year, JUN, 19)), HOLIDAY_NAMES.juneteenth)

  const july4 = dayIndexOfYmd(year, JUL, 4)
  closed(nearestWeekday(july4), HOLIDAY_NAMES.independence)
  // July 3 closes at 13:00 when it is Mon–Thu (Wednesday only since 2013); before 2013 a Thursday
  // July 4 gave the 13:00 close to Friday July 5 instead. A Friday July 3 is the observed holiday.
  const july3Weekday = weekdayOfDayIndex(july4 - 1)
  if (july3Weekday >= MONDAY && july3Weekday <= THURSDAY && (july3Weekday !== WEDNESDAY || year >= 2013))
    early(july4 - 1, HOLIDAY_NAMES.independence)
  if (year < 2013 && weekdayOfDayIndex(july4) === THURSDAY) early(july4 + 1, HOLIDAY_NAMES.independence)

  closed(nthWeekdayOfMonth(year, SEP, MONDAY, 1), HOLIDAY_NAMES.labor)
  const thanksgiving = nthWeekdayOfMonth(year, NOV, THURSDAY, 4)
  closed(thanksgiving, HOLIDAY_NAMES.thanksgiving)
  early(thanksgiving + 1, HOLIDAY_NAMES.thanksgiving)

  // Christmas Eve closes at 13:00 when it is Mon–Thu; a Friday Dec 24 is the observed holiday.
  const christmas = dayIndexOfYmd(year, DEC, 25)
  const eveWeekday = weekdayOfDayIndex(christmas - 1)
  if (eveWeekday >= MONDAY && eveWeekday <= THURSDAY) early(christmas - 1, HOLIDAY_NAMES.christmas)
  closed(nearestWeekday(christmas), HOLIDAY_NAMES.christmas)

  for (const c of UNSCHEDULED_CLOSURES) if (c.date.startsWith(`${year}-`)) closed(dayIndexOfDate(c.date), c.name)

  return days
    .sort((a, b) => a[0] - b[0])
    .map(([dayIndex, name, status]) => ({ dayIndex, date: dateOfDayIndex(dayIndex), name, status }))
}

const byYear = new Map<number, Map<number, SpecialDay>>()

/** The rule-computed special day on a day number, or null (memoised per year). */
export function computedSpecialDay(dayIndex: number): SpecialDay | null {
  const year = new Date(dayIndex * DAY_MS).getUTCFullYear()
  let days = byYear.get(year)
  if (!days) {
    if (byYear.size >= 256) byYear.clear()
    days = new Map(specialDaysOfYear(year).map((d) => [d.dayIndex, d]))
    byYear.set(year, days)
  }
  return days.get(dayIndex) ?? null
}
