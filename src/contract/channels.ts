/** Stream channels of a subscription (trades, quotes, bars, snapshots): the parser of a subscribe's `channels`, their bit masks, and the local topics each set is delivered on. */
import type { StreamChannel } from './messages'

/** Every channel, in the order the protocol document lists them. */
export const streamChannels: readonly StreamChannel[] = ['trades', 'quotes', 'bars', 'snapshots']

/** One bit per channel; a subscription's channels are their OR. */
export const ChannelBit: Record<StreamChannel, number> = { trades: 1, quotes: 2, bars: 4, snapshots: 8 }

/** What a subscribe without `channels` delivers: everything but quotes, as before channels existed. */
export const defaultChannels = ChannelBit.trades | ChannelBit.bars | ChannelBit.snapshots

/** The channel a market message `type` belongs to (null: not a market message). */
export function channelBitOfType(type: string): number {
  switch (type) {
    case 'trade':
      return ChannelBit.trades
    case 'quote':
      return ChannelBit.quotes
    case 'bar':
    case 'no_bar':
      return ChannelBit.bars
    case 'snapshot':
      return ChannelBit.snapshots
    default:
      return 0
  }
}

/** The channel names of a mask, in document order. */
export function channelNames(mask: number): StreamChannel[] {
  return streamChannels.filter((c) => (mask & ChannelBit[c]) !== 0)
}

/**
 * `channels` of a subscribe: absent = the default set; otherwise a non-empty array of known
 * channel names (duplicates allowed). A string names what is wrong and which values are unknown.
 */
export function readChannels(raw: unknown): { ok: true; mask: number | undefined } | { ok: false; invalid: string[] } {
  if (raw === undefined) return { ok: true, mask: undefined }
  if (!Array.isArray(raw) || raw.length === 0) return { ok: false, invalid: [] }
  let mask = 0
  const invalid: string[] = []
  for (const item of raw) {
    const bit = typeof item === 'string' ? ChannelBit[item as StreamChannel] : undefined
    if (bit === undefined || !Object.hasOwn(ChannelBit, item as string)) invalid.push(String(item).slice(0, 32))
    else mask |= bit
  }
  return invalid.length > 0 ? { ok: false, invalid } : { ok: true, mask }
}

/**
 * The local (Bun) topic a message of `symbol` is published on for subscribers of one channel
 * set: the default set shares the symbol topic every existing client is on (`sym:AAPL`); quotes
 * and the single channels of a chosen set have their own (`sym:AAPL#quotes`).
 */
export const channelTopic = (symbol: string, channel: StreamChannel) => `sym:${symbol}#${channel}`

/**
 * The symbol-registry entry that says some subscriber (on any replica) has `symbol`'s quotes
 * channel; it sits beside the plain `symbol` entry, and the upstream subscribes the provider's
 * quotes (`Q`) only for symbols that have one.
 */
export const quotesWantedEntry = (symbol: string) => `${symbol}#quotes`

/** A registry entry read back: its symbol, and whether it is a quotes entry (quotesWantedEntry). */
export function readWantedEntry(entry: string): { symbol: string; quotes: boolean } {
  return entry.endsWith('#quotes') ? { symbol: entry.slice(0, -'#quotes'.length), quotes: true } : { symbol: entry, quotes: false }
}
