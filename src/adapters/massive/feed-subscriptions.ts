/** What one Massive feed session asked the provider for (T+AM per symbol, Q where wanted) and the calls not yet sent, netted per symbol into as few frames as possible. */
import { channelFrames, FEED_CHANNELS, FEED_CHANNELS_WITH_QUOTES } from './feed-wire.ts'

export class FeedSubscriptions {
  /** Calls not yet sent, per symbol: true = subscribe, false = unsubscribe. */
  private readonly pending = new Map<string, boolean>()
  /** Symbols the provider was asked to send (subscribe sent, no unsubscribe since). */
  private readonly subscribed = new Set<string>()
  /** Quote (`Q`) calls not yet sent, netted per symbol like `pending`. */
  private readonly pendingQuotes = new Map<string, boolean>()
  /** Symbols whose `Q` the provider was asked to send. */
  private readonly quoted = new Set<string>()

  /** `withQuotes`: subscribe `Q` where asked until the provider refuses it (a plan without quotes). */
  constructor(private quotes: boolean) {}

  get withQuotes(): boolean {
    return this.quotes
  }

  /** Records a call for `symbol` (the last call per symbol wins); `quotes`: its `Q` channel, else its T and AM. */
  ask(symbol: string, subscribe: boolean, quotes: boolean): void {
    const pending = quotes ? this.pendingQuotes : this.pending
    pending.delete(symbol)
    pending.set(symbol, subscribe)
  }

  /** Whether calls of that kind (`quotes` or T+AM) wait to be sent. */
  hasPending(quotes: boolean): boolean {
    return (quotes ? this.pendingQuotes : this.pending).size > 0
  }

  /**
   * The frames for the netted pending calls, now counted as sent: unsubscribes first, then
   * subscribes. A symbol's `Q` travels in the frame of its T and AM when both change together
   * (`T.AAPL,Q.AAPL,AM.AAPL`), else alone.
   */
  takeFrames(maxParamsLength: number): string[] {
    const [add, remove] = net(this.pending, this.subscribed, true)
    const [addQ, removeQ] = net(this.pendingQuotes, this.quoted, this.quotes)
    const max = maxParamsLength
    const removingQ = new Set(removeQ)
    const addingQ = new Set(addQ)
    const removing = new Set(remove)
    const adding = new Set(add)
    return [
      ...channelFrames('unsubscribe', removeQ.filter((s) => !removing.has(s)), max, ['Q']),
      ...channelFrames('unsubscribe', remove, max, (s) => (removingQ.has(s) ? FEED_CHANNELS_WITH_QUOTES : FEED_CHANNELS)),
      ...channelFrames('subscribe', add, max, (s) => (addingQ.has(s) ? FEED_CHANNELS_WITH_QUOTES : FEED_CHANNELS)),
      ...channelFrames('subscribe', addQ.filter((s) => !adding.has(s)), max, ['Q']),
    ]
  }

  /** The provider refused `Q`: ask for it no more. False when it was already refused (report a refusal once). */
  quotesRefused(): boolean {
    if (!this.quotes) return false
    this.quotes = false
    this.pendingQuotes.clear()
    this.quoted.clear()
    return true
  }

  /** The session is closing: nothing more is sent. */
  dropPending(): void {
    this.pending.clear()
    this.pendingQuotes.clear()
  }

  /** The session is closed: nothing is asked for any more. */
  clear(): void {
    this.pending.clear()
    this.subscribed.clear()
    this.pendingQuotes.clear()
    this.quoted.clear()
  }
}

/** Applies netted calls to the set of what the provider was asked for; returns the symbols to add and to remove (adds only when `allowAdd`), and empties `pending`. */
function net(pending: Map<string, boolean>, current: Set<string>, allowAdd: boolean): [string[], string[]] {
  const add: string[] = []
  const remove: string[] = []
  for (const [symbol, subscribe] of pending) {
    if (subscribe && allowAdd && !current.has(symbol)) (current.add(symbol), add.push(symbol))
    else if (!subscribe && current.delete(symbol)) remove.push(symbol)
  }
  pending.clear()
  return [add, remove]
}
