/** SimulatedFeed against the UpstreamFeed contract, on a SimulatedClock the harness moves. */
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import { DEFAULT_QUOTES_PER_TRADE } from '../../src/adapters/simulated/quote-model'
import { upstreamFeedContract } from '../contracts/upstream-feed.contract'

/** Wednesday 2025-03-12 14:00 New York (EDT): the market is open and busy. */
const start = Date.UTC(2025, 2, 12, 18, 0)

upstreamFeedContract('SimulatedFeed', start, async () => {
  const clock = new SimulatedClock(start)
  const feed = new SimulatedFeed({ clock, random: () => 0.5, quotesPerTrade: DEFAULT_QUOTES_PER_TRADE })
  return {
    feed,
    now: () => clock.now(),
    moveTo: (t) => clock.advance(t - clock.now()),
    drop: () => feed.disconnect(),
    close: async () => feed.disconnect('test over'),
  }
})
