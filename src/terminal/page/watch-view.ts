/** The watchlist table: one row per ticker with last, change, change %, updated and source, flashing on moves; select and remove. */
import type { SnapshotRow } from '../../client/watch-rows'
import type { FeedStreaming } from '../../client/market-model'
import type { PriceAge } from '../../client/price-age'
import { showAge } from './freshness-view'
import { byId, el, setText } from './dom'
import { clockTime, direction, price, signed } from './format'

export interface WatchHandlers {
  select(ticker: string): void
  remove(ticker: string): void
}

interface RowNodes {
  tr: HTMLTableRowElement
  cells: Record<'last' | 'change' | 'pct' | 'updated' | 'source', HTMLTableCellElement>
  /** The last trade's time and the price's age, inside the updated cell. */
  clock: HTMLSpanElement
  age: HTMLSpanElement
  last: number | null
}

export class WatchView {
  private rows = new Map<string, RowNodes>()
  private body = byId<HTMLTableSectionElement>('watch-body')

  constructor(private handlers: WatchHandlers) {
    this.body.addEventListener('click', (e) => {
      const target = e.target as HTMLElement
      const tr = target.closest('tr')
      const ticker = tr?.dataset.ticker
      if (!ticker) return
      if (target.closest('button.remove')) handlers.remove(ticker)
      else handlers.select(ticker)
    })
  }

  render(
    rows: SnapshotRow[],
    selected: string | null,
    streaming: (t: string) => FeedStreaming | null,
    age: (t: string) => PriceAge,
  ): void {
    const seen = new Set<string>()
    rows.forEach((row, i) => {
      seen.add(row.ticker)
      const nodes = this.rows.get(row.ticker) ?? this.create(row.ticker)
      if (this.body.children[i] !== nodes.tr) this.body.insertBefore(nodes.tr, this.body.children[i] ?? null)
      this.fill(nodes, row, streaming(row.ticker))
      showAge(nodes.tr, nodes.age, age(row.ticker))
      nodes.tr.classList.toggle('selected', row.ticker === selected)
    })
    for (const [t, nodes] of this.rows) if (!seen.has(t)) (nodes.tr.remove(), this.rows.delete(t))
    byId('watch-empty').hidden = rows.length > 0
  }

  private create(ticker: string): RowNodes {
    const td = (cls: string) => el('td', { class: cls })
    const cells = { last: td('num last'), change: td('num'), pct: td('num'), updated: td('time'), source: td('source') }
    const clock = el('span', { class: 'clock' })
    const age = el('span', { class: 'age' })
    cells.updated.append(clock, age)
    const remove = el('button', { class: 'remove', title: `Remove ${ticker}`, 'aria-label': `Remove ${ticker}` }, '×')
    const tr = el(
      'tr',
      { 'data-ticker': ticker },
      el('td', { class: 'ticker' }, ticker),
      cells.last,
      cells.change,
      cells.pct,
      cells.updated,
      cells.source,
      el('td', { class: 'actions' }, remove),
    )
    const nodes = { tr, cells, clock, age, last: null }
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
    const dir = direction(row.change)
    n.cells.change.dataset.dir = dir
    n.cells.pct.dataset.dir = dir
    setText(n.clock, clockTime(row.updatedAt))
    const source = row.source ?? '—'
    setText(n.cells.source, streaming === 'refused' ? `${source} · limit` : source)
    n.cells.source.dataset.source = row.source ?? ''
  }
}

function flash(cell: HTMLElement, dir: 'up' | 'down'): void {
  cell.classList.remove('flash-up', 'flash-down')
  void cell.offsetWidth
  cell.classList.add(`flash-${dir}`)
}
