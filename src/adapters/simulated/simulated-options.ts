/** UpstreamOptions over the simulated options model: expirations, chains and contracts as of the injected clock, never failing. */

import type { Clock } from '../../ports/clock'
import type { ChainFilter, OptionSnapshot, UpstreamOptions } from '../../ports/upstream-options'
import { simulatedChain, simulatedContract, simulatedExpirations } from './options'

export class SimulatedOptions implements UpstreamOptions {
  readonly name = 'simulated' as const
  /** Calls answered since start (for tests). */
  requests = 0

  constructor(private readonly clock: Clock) {}

  async expirations(underlying: string): Promise<string[]> {
    this.requests++
    return simulatedExpirations(underlying, this.clock.now())
  }

  async chain(underlying: string, expiration: string, filter: ChainFilter): Promise<OptionSnapshot[]> {
    this.requests++
    return simulatedChain(underlying, expiration, this.clock.now(), filter)
  }

  async contract(optionTicker: string): Promise<OptionSnapshot | null> {
    this.requests++
    return simulatedContract(optionTicker, this.clock.now())
  }
}
