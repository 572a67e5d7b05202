/** The add box's autocomplete: matches from GET /reference/tickers as the user types, picked with the mouse or arrows and Enter. */
import type { RestApi } from '../../client/rest-api'
import type { TickerSearch } from '../../client/wire'
import { byId, el } from './dom'

type Match = TickerSearch['items'][number]

/** Wait after the last keystroke before asking (one request per pause, not per key). */
const debounceMs = 150

export class SearchView {
  private input = byId<HTMLInputElement>('add-ticker')
  private list = byId<HTMLUListElement>('add-suggest')
  private matches: Match[] = []
  private active = -1
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Bumped per request, so a late answer for older text is dropped. */
  private asked = 0

  constructor(
    private api: Pick<RestApi, 'searchTickers'>,
    /** A match was picked: add it. */
    private pick: (ticker: string) => void,
  ) {
    this.input.addEventListener('input', () => this.typed())
    this.input.addEventListener('keydown', (e) => this.key(e))
    this.input.addEventListener('blur', () => setTimeout(() => this.close(), 150))
    this.list.addEventListener('mousedown', (e) => {
      const li = (e.target as HTMLElement).closest('li')
      if (!li?.dataset.ticker) return
      e.preventDefault()
      this.choose(li.dataset.ticker)
    })
  }

  /** Drops pending and shown matches (the text was submitted as typed). */
  cancel(): void {
    clearTimeout(this.timer)
    this.asked++
    this.close()
  }

  close(): void {
    this.matches = []
    this.active = -1
    this.draw()
  }

  private typed(): void {
    // Matches for older text never answer an Enter meant for this text.
    this.cancel()
    const text = this.input.value.trim()
    if (!text) return
    this.timer = setTimeout(() => void this.ask(text), debounceMs)
  }

  private async ask(text: string): Promise<void> {
    const n = ++this.asked
    try {
      const { items } = await this.api.searchTickers(text, 8)
      if (n !== this.asked || this.input.value.trim() !== text) return
      this.matches = items
      this.active = items.length ? 0 : -1
    } catch {
      this.matches = []
      this.active = -1
    }
    this.draw()
  }

  private key(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      if (this.matches.length) e.stopPropagation()
      return this.close()
    }
    if (!this.matches.length) return
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      const step = e.key === 'ArrowDown' ? 1 : -1
      this.active = (this.active + step + this.matches.length) % this.matches.length
      this.draw()
    } else if (e.key === 'Enter' && this.active >= 0) {
      e.preventDefault()
      this.choose(this.matches[this.active].ticker)
    }
  }

  private choose(ticker: string): void {
    this.input.value = ticker
    this.close()
    this.pick(ticker)
  }

  private draw(): void {
    this.list.replaceChildren(
      ...this.matches.map((m, i) =>
        el(
          'li',
          {
            id: `add-option-${i}`,
            role: 'option',
            'data-ticker': m.ticker,
            'aria-selected': String(i === this.active),
            class: i === this.active ? 'active' : '',
          },
          el('span', { class: 'ticker' }, m.ticker),
          el('span', { class: 'name' }, m.name),
          el('span', { class: 'type' }, m.type),
        ),
      ),
    )
    const open = this.matches.length > 0
    this.list.hidden = !open
    this.input.setAttribute('aria-expanded', String(open))
    if (this.active >= 0) this.input.setAttribute('aria-activedescendant', `add-option-${this.active}`)
    else this.input.removeAttribute('aria-activedescendant')
  }
}
