/** The watchlist table: one row per ticker with last, change, change %, volume, day range, updated and source, flashing on moves; sortable by its headers; select (click, or arrows and Enter) and remove. */
import type { SnapshotRow } from '../../client/watch-rows'
import type { FeedStreaming } from '../../client/market-model'
import type { PriceAge } from '../../client/price-age'
import { showAge } from './freshness-view'
import { byId, el, setText } from './dom'
import { clockTime, direction, price, signed, volume } from './format'

export interface WatchHandlers {
  select(ticker: string): void
  remove(ticker: string): void
  /** The sort changed (to remember it). */
  sorted?(sort: WatchSort | null): void
}

/** A sortable column and its direction. */
export type SortKey = 'ticker' | 'last' | 'change' | 'change_pct' | 'volume' | 'range'
export interface WatchSort {
  key: SortKey
  dir: 'asc' | 'desc'
}
export const isSortKey = (v: unknown): v is SortKey =>
  typeof v === 'string' && ['ticker', 'last', 'change', 'change_pct', 'volume', 'range'].includes(v)

/** The value a column sorts by (null sorts last either way). */
function sortValue(row: SnapshotRow, key: SortKey): number | string | null {
  if (key === 'ticker') return row.ticker
  if (key === 'range') return row.high !== null && row.low !== null ? row.high - row.low : null
  return row[key]
}

/** The rows in the watchlist's order, or sorted by a column (ties by ticker). */
export function sortRows(rows: SnapshotRow[], sort: WatchSort | null): SnapshotRow[] {
  if (!sort) return rows
  const sign = sort.dir === 'asc' ? 1 : -1
  return [...rows].sort((a, b) => {
    const x = sortValue(a, sort.key)
    const y = sortValue(b, sort.key)
    if (x === null || y === null) return x === y ? a.ticker.localeCompare(b.ticker) : x === null ? 1 : -1
    const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - Number(y)
    return c !== 0 ? sign * c : a.ticker.localeCompare(b.ticker)
  })
}

interface RowNodes {
  tr: HTMLTableRowElement
  cells: Record<'last' | 'change' | 'pct' | 'volume' | 'range' | 'quote' | 'updated' | 'source', HTMLTableCellElement>
  /** The last trade's time and the price's age, inside the updated cell. */
  clock: HTMLSpanElement
  age: HTMLSpanElement
  /** Low and high, bid and ask: two spans each, side by side or stacked (styles.css, by width). */
  range: PairNodes
  quote: PairNodes
  last: number | null
}

export class WatchView {
  private rows = new Map<string, RowNodes>()
  private body = byId<HTMLTableSectionElement>('watch-body')
  private sort: WatchSort | null = null
  /** The row the keyboard is on (the one row in the tab order). */
  private cursor: string | null = null

  constructor(private handlers: WatchHandlers) {
    this.body.addEventListener('click', (e) => {
      const target = e.target as HTMLElement
      const tr = target.closest('tr')
      const ticker = tr?.dataset.ticker
      if (!ticker) return
      this.cursor = ticker
      if (target.closest('button.remove')) handlers.remove(ticker)
      else handlers.select(ticker)
    })
    this.body.addEventListener('keydown', (e) => {
      const tr = (e.target as HTMLElement).closest('tr')
      if (!tr?.dataset.ticker || (e.target as HTMLElement).closest('button')) return
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        this.moveFocus(e.key === 'ArrowDown' ? 1 : -1)
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault()
        handlers.select(tr.dataset.ticker)
      } else if (e.key === 'Delete') handlers.remove(tr.dataset.ticker)
    })
    for (const th of document.querySelectorAll<HTMLElement>('#watch-head th[data-sort]')) {
      const button = el('button', { type: 'button', class: 'sort' }, th.textContent ?? '')
      th.replaceChildren(button)
      button.addEventListener('click', () => this.toggleSort(th.dataset.sort))
    }
  }

  /** Sorts by `key` (descending first, then ascending, then the watchlist's order). */
  toggleSort(key: string | undefined): void {
    if (!isSortKey(key)) return
    const s = this.sort
    this.setSort(s?.key !== key ? { key, dir: key === 'ticker' ? 'asc' : 'desc' } : s.dir === (key === 'ticker' ? 'asc' : 'desc') ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : null)
    this.handlers.sorted?.(this.sort)
  }

  setSort(sort: WatchSort | null): void {
    this.sort = sort
    for (const th of document.querySelectorAll<HTMLElement>('#watch-head th[data-sort]')) {
      const on = sort?.key === th.dataset.sort
      th.setAttribute('aria-sort', on ? (sort!.dir === 'asc' ? 'ascending' : 'descending') : 'none')
    }
  }

  currentSort(): WatchSort | null {
    return this.sort
  }

  /** Puts the keyboard on the watchlist: the current row, else the selected one, else the first. */
  focus(): void {
    const rows = [...this.body.querySelectorAll<HTMLTableRowElement>('tr[data-ticker]')]
    const row =
      rows.find((r) => r.dataset.ticker === this.cursor) ?? rows.find((r) => r.classList.contains('selected')) ?? rows[0]
    row?.focus()
  }

  private moveFocus(step: number): void {
    const rows = [...this.body.querySelectorAll<HTMLTableRowElement>('tr[data-ticker]')]
    const at = rows.indexOf(document.activeElement as HTMLTableRowElement)
    const next = rows[Math.max(0, Math.min(rows.length - 1, at + step))]
    if (!next) return
    this.cursor = next.dataset.ticker ?? null
    for (const r of rows) r.tabIndex = r === next ? 0 : -1
    next.focus()
  }

  render(
    rows: SnapshotRow[],
    selected: string | null,
    streaming: (t: string) => FeedStreaming | null,
    age: (t: string) => PriceAge,
  ): void {
    const seen = new Set<string>()
    rows = sortRows(rows, this.sort)
    if (!rows.some((r) => r.ticker === this.cursor)) this.cursor = selected ?? rows[0]?.ticker ?? null
    rows.forEach((row, i) => {
      seen.add(row.ticker)
      const nodes = this.rows.get(row.ticker) ?? this.create(row.ticker)
      if (this.body.children[i] !== nodes.tr) this.body.insertBefore(nodes.tr, this.body.children[i] ?? null)
      this.fill(nodes, row, streaming(row.ticker))
      showAge(nodes.tr, nodes.age, age(row.ticker))
      nodes.tr.classList.toggle('selected', row.ticker === selected)
      nodes.tr.setAttribute('aria-selected', String(row.ticker === selected))
      nodes.tr.tabIndex = row.ticker === this.cursor ? 0 : -1
    })
    for (const [t, nodes] of this.rows) if (!seen.has(t)) (nodes.tr.remove(), this.rows.delete(t))
    byId('watch-empty').hidden = rows.length > 0
    // The bid/ask column shows only when the feed has quotes.
    this.body.closest('table')!.classList.toggle('has-quotes', rows.some((r) => r.bid !== null))
  }

  private create(ticker: string): RowNodes {
    const td = (cls: string) => el('td', { class: cls })
    const cells = {
      last: td('num last'),
      change: td('num'),
      pct: td('num'),
      volume: td('num volume'),
      range: td('num range'),
      quote: td('num quote-col'),
      updated: td('time'),
      source: td('source'),
    }
    const clock = el('span', { class: 'clock' })
    const age = el('span', { class: 'age' })
    cells.updated.append(clock, age)
    const range = pair(cells.range, ' – ')
    const quote = pair(cells.quote, ' × ')
    const remove = el('button', { class: 'remove', title: `Remove ${ticker}`, 'aria-label': `Remove ${ticker}` }, '×')
    const tr = el(
      'tr',
      { 'data-ticker': ticker, tabindex: '-1', 'aria-label': ticker },
      el('td', { class: 'ticker' }, ticker),
      cells.last,
      cells.change,
      cells.pct,
      cells.volume,
      cells.range,
      cells.quote,
      cells.updated,
      cells.source,
      el('td', { class: 'actions' }, remove),
    )
    const nodes = { tr, cells, clock, age, range, quote, last: null }
    this.rows.set(ticker, nodes)
    return nodes
  }

  private fill(n: RowNodes, row: SnapshotRow, streaming: FeedStreaming | null): void {
    if (n.last !== null && row.last !== null && row.last !== n.last)
      flash(n.cells.last, row.last > n.last ? 'up' : 'down')
    n.last = row.last
    setText(n.cells.last, price(row.last))
    setText(n.cells.change, signed(row.change))
    setText(n.cells.pct, signed(row.change_pct, 2, '%'))
    setText(n.cells.volume, row.volume === null ? '—' : volume(row.volume))
    showPair(n.range, row.low, row.high)
    showPair(n.quote, row.bid, row.ask)
    const dir = direction(row.change)
    n.cells.change.dataset.dir = dir
    n.cells.pct.dataset.dir = dir
    setText(n.clock, clockTime(row.updatedAt))
    const source = row.source ?? '—'
    setText(n.cells.source, streaming === 'refused' ? `${source} · limit` : source)
    n.cells.source.dataset.source = row.source ?? ''
    // Where the clock and source columns are hidden (compact widths), the updated cell tells both on hover.
    const title = `${clockTime(row.updatedAt)} ET · ${n.cells.source.textContent}`
    if (n.cells.updated.title !== title) n.cells.updated.title = title
  }
}

interface PairNodes {
  cell: HTMLTableCellElement
  first: HTMLSpanElement
  second: HTMLSpanElement
}

/** Two numbers in one cell, "low – high" on a wide screen; stacked (the higher above) where space is short. */
function pair(cell: HTMLTableCellElement, separator: string): PairNodes {
  const first = el('span', { class: 'pair-lo' })
  const second = el('span', { class: 'pair-hi' })
  cell.append(el('span', { class: 'pair-box' }, first, el('span', { class: 'pair-sep' }, separator), second))
  cell.classList.add('pair')
  return { cell, first, second }
}

function showPair(n: PairNodes, a: number | null, b: number | null): void {
  const known = a !== null && b !== null
  n.cell.classList.toggle('unknown', !known)
  setText(n.first, known ? price(a) : '—')
  setText(n.second, known ? price(b) : '')
}

function flash(cell: HTMLElement, dir: 'up' | 'down'): void {
  cell.classList.remove('flash-up', 'flash-down')
  void cell.offsetWidth
  cell.classList.add(`flash-${dir}`)
}
