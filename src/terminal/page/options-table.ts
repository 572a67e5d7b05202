/** The options chain table: calls | strike | puts rows kept per strike and refilled in place, the strike window around the price, and the selected contract's cells. */
import {
  inTheMoney,
  money,
  sideCells,
  sideColumnLabels,
  sideColumns,
  strikeText,
  strikeWindow,
  type OptionType,
} from '../../client/options-chain'
import type { OptionChain, OptionChainRow } from '../../client/wire'
import { byId, el, setText } from './dom'
import { clockTime } from './format'

/** Calls mirror puts, so bid and ask sit next to the strike on both sides. */
const callColumns = [...sideColumns].reverse()
const columns: { side: OptionType | null; key: string }[] = [
  ...callColumns.map((key) => ({ side: 'call' as const, key })),
  { side: null, key: 'strike' },
  ...sideColumns.map((key) => ({ side: 'put' as const, key })),
]

interface RowNodes {
  tr: HTMLTableRowElement
  cells: HTMLTableCellElement[]
}

/** The chain's table under #options-columns and #options-body, one row per strike shown. */
export class OptionsTable {
  private rows = new Map<number, RowNodes>()
  /** The table body: contract cells carry data-ticker (a click or a key on one opens that contract). */
  readonly body = byId<HTMLTableSectionElement>('options-body')

  constructor() {
    const head = byId<HTMLTableRowElement>('options-columns')
    for (const c of columns)
      head.append(
        el(
          'th',
          { scope: 'col', class: c.side ? `num ${c.side}` : 'strike' },
          c.side ? sideColumnLabels[c.key as keyof typeof sideColumnLabels] : 'Strike',
        ),
      )
  }

  /** Marks the cells of contract `ticker` as selected (none for null). */
  select(ticker: string | null): void {
    for (const cell of this.body.querySelectorAll<HTMLElement>('td[data-ticker]'))
      cell.classList.toggle('selected', cell.dataset.ticker === ticker)
  }

  /** Draws `chain` (null hides the table): the strikes around the price unless `showAll`, the cells of `selected` marked. */
  render(chain: OptionChain | null, showAll: boolean, selected: string | null): void {
    const table = byId('options-table')
    table.hidden = chain === null
    table.dataset.expiration = chain?.expiration ?? ''
    table.dataset.updatedAt = chain?.updated_at ?? ''
    table.dataset.price = chain?.underlying_price === null || !chain ? '' : String(chain.underlying_price)
    setText(byId('options-underlying'), money(chain?.underlying_price ?? null))
    setText(
      byId('options-updated'),
      chain ? `Updated ${clockTime(Date.parse(chain.updated_at))} ET · source ${chain.source}` : '',
    )
    const window = strikeWindow(chain?.strikes ?? [], chain?.underlying_price ?? null, undefined, showAll)
    const hidden = window.hiddenBelow + window.hiddenAbove
    setText(
      byId('options-window'),
      !chain
        ? ''
        : hidden > 0
          ? `${window.rows.length} strikes around the price (${hidden} more: tick “All strikes”)`
          : `All ${window.rows.length} strikes`,
    )
    byId('options-empty').hidden = chain === null || window.rows.length > 0
    const seen = new Set<number>()
    window.rows.forEach((row, i) => {
      seen.add(row.strike)
      const nodes = this.rows.get(row.strike) ?? this.createRow(row.strike)
      if (this.body.children[i] !== nodes.tr) this.body.insertBefore(nodes.tr, this.body.children[i] ?? null)
      this.fillRow(nodes, row, chain!.underlying_price, window.atm, selected)
    })
    for (const [strike, nodes] of this.rows) if (!seen.has(strike)) (nodes.tr.remove(), this.rows.delete(strike))
  }

  private createRow(strike: number): RowNodes {
    const cells = columns.map((c) =>
      c.side ? el('td', { class: `num ${c.side} ${c.key}` }) : el('th', { scope: 'row', class: 'strike' }),
    ) as HTMLTableCellElement[]
    const tr = el('tr', { 'data-strike': String(strike) }, ...cells)
    const nodes = { tr, cells }
    this.rows.set(strike, nodes)
    return nodes
  }

  private fillRow(n: RowNodes, row: OptionChainRow, price: number | null, atm: number | null, selected: string | null): void {
    const text = { call: sideCells(row.call), put: sideCells(row.put) }
    n.tr.classList.toggle('atm', row.strike === atm)
    columns.forEach((c, i) => {
      const cell = n.cells[i]
      if (!c.side) return setText(cell, strikeText(row.strike))
      const side = row[c.side]
      setText(cell, text[c.side][c.key as keyof typeof text.call])
      cell.classList.toggle('itm', inTheMoney(c.side, row.strike, price))
      if (side) cell.dataset.ticker = side.ticker
      else delete cell.dataset.ticker
      // One focusable cell per side: the one next to the strike opens the contract from the keyboard.
      if (c.key === 'bid' && side) {
        cell.tabIndex = 0
        cell.setAttribute('role', 'button')
        cell.setAttribute('aria-label', `${strikeText(row.strike)} ${c.side} details, bid ${text[c.side].bid}`)
      } else if (c.key === 'bid') for (const a of ['tabindex', 'role', 'aria-label']) cell.removeAttribute(a)
      cell.classList.toggle('selected', side !== null && side.ticker === selected)
    })
  }
}
