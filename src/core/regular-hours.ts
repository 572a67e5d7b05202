/** regularHoursOnly: the minute bars of the regular session (09:30 to the day's close, New York), for `session=regular`. Pure. */
import { scheduleOfIndex } from './calendar'
import { nyDayIndex } from './market-time'
import type { Bar } from './market-types'
import type { DaySchedule } from './sessions'

/** Minute bars that start inside their New York day's regular session (09:30 to the close; none on days the market is closed). */
export function regularHoursOnly(bars: readonly Bar[]): Bar[] {
  let day = Number.NaN
  let schedule: DaySchedule | null = null
  return bars.filter((b) => {
    const d = nyDayIndex(b.t)
    if (d !== day) {
      day = d
      schedule = scheduleOfIndex(d)
    }
    return schedule !== null && b.t >= schedule.open && b.t < schedule.close
  })
}
