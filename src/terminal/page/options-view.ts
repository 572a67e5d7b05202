/** The options panel: expiration picker, the calls | strike | puts table polled while visible, and one contract's details. */
import {
  contractFacts,
  expirationLabel,
  nextChainPollMs,
  optionsErrorText,
  staleChainNotice,
  worthRetrying,
  type ChainPoll,
} from '../../client/options-chain'
import { ApiError, type RestApi } from '../../client/rest-api'
import type { OptionChain, OptionContract, OptionExpiration } from '../../client/wire'
import { byId, el, setText } from './dom'
import { clockTime } from './format'
import { OptionsTable } from './options-table'

/** Read each time (not narrowed): the page can be hidden while a request is out. */
const pageHidden = () => document.visibilityState === 'hidden'

/** A failed poll with its status and the server's Retry-After (status 0 for a network or client error). */
const failedPoll = (e: unknown): ChainPoll =>
  e instanceof ApiError ? { kind: 'failed', status: e.status, retryAfterMs: e.retryAfterMs } : { kind: 'failed', status: 0, retryAfterMs: null }

export class OptionsView {
  private underlying: string | null = null
  private expirations: OptionExpiration[] = []
  private expiration: string | null = null
  private chain: OptionChain | null = null
  private contract: string | null = null
  private showAll = false
  private timer: ReturnType<typeof setTimeout> | null = null
  /** A chain or expirations call is out. */
  private loading = false
  /** Consecutive polls that were not fresh (stale, 503, 429, network): the backoff exponent. */
  private misses = 0
  /** Bumped by every open, close and expiration change: answers of an older one are dropped. */
  private generation = 0
  private table = new OptionsTable()
  private panel = byId('options')
  private picker = byId<HTMLSelectElement>('options-expiration')

  constructor(private api: RestApi) {
    this.picker.addEventListener('change', () => this.pick(this.picker.value))
    byId<HTMLInputElement>('options-all').addEventListener('change', (e) => {
      this.showAll = (e.target as HTMLInputElement).checked
      this.renderChain()
    })
    byId('options-close').addEventListener('click', () => this.close())
    byId('contract-close').addEventListener('click', () => this.showContract(null))
    this.table.body.addEventListener('click', (e) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>('td[data-ticker]')
      if (cell?.dataset.ticker) this.showContract(cell.dataset.ticker)
    })
    // Enter or Space on a focusable contract cell opens it like a click.
    this.table.body.addEventListener('keydown', (e) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>('td[data-ticker][role="button"]')
      if (cell && (e.key === 'Enter' || e.key === ' ')) (e.preventDefault(), cell.click())
    })
    document.addEventListener('visibilitychange', () => {
      if (pageHidden()) return this.stopTimer()
      // Back in view: ask at once, unless a call is still out (its answer schedules the next).
      if (!this.underlying || this.loading) return
      if (this.expiration) void this.refresh(this.generation)
      else if (this.expirations.length === 0) void this.loadExpirations(this.generation)
    })
  }

  /** The underlying shown, or null when closed. */
  openFor(): string | null {
    return this.underlying
  }

  /** Opens the panel on `ticker`'s options (a no-op when already showing them). */
  open(ticker: string): void {
    if (this.underlying === ticker) return
    this.reset()
    this.underlying = ticker
    this.panel.hidden = false
    setText(byId('options-title'), `${ticker} options`)
    this.message('Loading expirations…', 'info')
    void this.loadExpirations(this.generation)
  }

  close(): void {
    this.reset()
    this.panel.hidden = true
  }

  private reset(): void {
    this.generation++
    this.stopTimer()
    this.misses = 0
    this.underlying = null
    this.expirations = []
    this.expiration = null
    this.chain = null
    this.contract = null
    this.picker.replaceChildren()
    this.picker.disabled = true
    this.renderChain()
    this.showContract(null)
  }

  private async loadExpirations(gen: number): Promise<void> {
    const ticker = this.underlying!
    this.stopTimer()
    try {
      this.loading = true
      const answer = await this.api.optionExpirations(ticker).finally(() => (this.loading = false))
      if (gen !== this.generation) return
      this.expirations = answer.expirations
      this.picker.replaceChildren(...answer.expirations.map((e) => el('option', { value: e.date }, expirationLabel(e))))
      this.picker.disabled = answer.expirations.length === 0
      if (answer.expirations.length === 0) return this.message(`${ticker} lists no options.`, 'info')
      this.pick(answer.expirations[0].date)
    } catch (e) {
      if (gen !== this.generation) return
      const retry = this.fail(e)
      if (retry && !pageHidden()) this.timer = setTimeout(() => void this.loadExpirations(gen), this.nextPollMs(failedPoll(e)))
    }
  }

  /** Switches to another expiration: a new chain, no contract, polling restarted. */
  private pick(date: string): void {
    this.generation++
    this.stopTimer()
    this.expiration = date
    this.picker.value = date
    this.chain = null
    this.showContract(null)
    this.renderChain()
    this.message('Loading the chain…', 'info')
    void this.refresh(this.generation)
  }

  /** Asks the chain (and the open contract) again, then schedules the next ask while open, visible and worth it. */
  private async refresh(gen: number): Promise<void> {
    this.stopTimer()
    if (!this.underlying || !this.expiration || pageHidden()) return
    let again = true
    let poll: ChainPoll = { kind: 'fresh' }
    try {
      this.loading = true
      const chain = await this.api
        .optionChain({ underlying: this.underlying, expiration: this.expiration })
        .finally(() => (this.loading = false))
      if (gen !== this.generation) return
      this.chain = chain
      if (chain.stale) poll = { kind: 'stale' }
      this.message(
        chain.stale ? `${staleChainNotice} Showing the chain of ${clockTime(Date.parse(chain.as_of ?? chain.updated_at))} ET.` : null,
        'info',
      )
      this.renderChain()
      if (this.contract) await this.loadContract(this.contract, gen)
    } catch (e) {
      if (gen !== this.generation) return
      again = this.fail(e)
      poll = failedPoll(e)
    }
    // Every 3 s while fresh; an unavailable source (stale, 503, 429) is asked less often: Retry-After, else backoff.
    if (gen === this.generation && again && !pageHidden())
      this.timer = setTimeout(() => void this.refresh(gen), this.nextPollMs(poll))
  }

  /** The delay before the next poll after `poll`, counting consecutive polls that were not fresh. */
  private nextPollMs(poll: ChainPoll): number {
    const delay = nextChainPollMs(poll, this.misses, Math.random)
    this.misses = poll.kind === 'fresh' ? 0 : this.misses + 1
    return delay
  }

  /** Shows why a call failed (the last chain stays on screen); true when polling should go on. */
  private fail(e: unknown): boolean {
    const err = e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', String(e), 0)
    let text = optionsErrorText(err, this.underlying ?? '', this.expiration ?? undefined)
    if (this.chain) text += ` Showing the chain of ${clockTime(Date.parse(this.chain.updated_at))} ET.`
    this.message(text, 'error')
    return worthRetrying(err.status) && !err.isAuth
  }

  private message(text: string | null, kind: 'info' | 'error' = 'error'): void {
    const box = byId('options-message')
    box.hidden = text === null
    box.dataset.kind = kind
    setText(box, text ?? '')
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private renderChain(): void {
    this.table.render(this.chain, this.showAll, this.contract)
  }

  /** Opens (or with null closes) the details of one contract. */
  private showContract(ticker: string | null): void {
    this.contract = ticker
    byId('options-contract').hidden = ticker === null
    this.table.select(ticker)
    if (!ticker) return
    setText(byId('contract-title'), ticker)
    byId('contract-facts').replaceChildren()
    setText(byId('contract-message'), 'Loading…')
    void this.loadContract(ticker, this.generation)
  }

  private async loadContract(ticker: string, gen: number): Promise<void> {
    try {
      const c = await this.api.optionContract(ticker)
      if (gen !== this.generation || this.contract !== ticker) return
      this.renderContract(c)
    } catch (e) {
      if (gen !== this.generation || this.contract !== ticker) return
      const err = e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', String(e), 0)
      setText(byId('contract-message'), optionsErrorText(err, this.underlying ?? ''))
    }
  }

  private renderContract(c: OptionContract): void {
    const dl = byId('contract-facts')
    dl.dataset.ticker = c.ticker
    dl.replaceChildren(
      ...contractFacts(c).flatMap((f) => [el('dt', {}, f.label), el('dd', { 'data-label': f.label }, f.value)]),
    )
    setText(byId('contract-message'), `Updated ${clockTime(Date.parse(c.updated_at))} ET · source ${c.source}`)
  }
}
