/** How old a shown price is, on the page: 'live' while a live stream carries it, else its age; a stale one is dimmed and says how old it is. */
import { ageLabel, type PriceAge } from '../../client/price-age'
import { setText } from './dom'

/** 'live', '3s ago' (polled, fresh), '12s old' (stale), or '—' when the price was never loaded. */
export function ageText(age: PriceAge): string {
  if (age.ageMs === null) return '—'
  if (age.streamed) return 'live'
  return age.stale ? `${ageLabel(age.ageMs)} old` : `${ageLabel(age.ageMs)} ago`
}

/** Writes the age into `label` and marks `holder` stale (dimmed by styles.css) or fresh. */
export function showAge(holder: HTMLElement, label: HTMLElement, age: PriceAge): void {
  setText(label, ageText(age))
  const state = age.ageMs === null ? 'none' : age.streamed ? 'live' : age.stale ? 'stale' : 'fresh'
  if (label.dataset.age !== state) label.dataset.age = state
  holder.classList.toggle('stale', age.stale && age.ageMs !== null)
}
