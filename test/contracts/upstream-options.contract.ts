/** The UpstreamOptions contract: one suite every adapter (simulated, Massive over HTTP) must pass, checked against the simulated model. */
import { describe, expect, it } from 'bun:test'
import { simulatedChain, simulatedContract, simulatedExpirations } from '../../src/adapters/simulated/options'
import type { UpstreamOptions } from '../../src/ports/upstream-options'

const all = { contractType: null, gte: null, lte: null }

/** `make` builds the adapter whose market is the simulated one as of `now` (the local Massive server's clock too). */
export function upstreamOptionsContract(name: string, now: number, make: () => UpstreamOptions): void {
  describe(`UpstreamOptions contract: ${name}`, () => {
    it('should list distinct expirations from today on, ascending, and none for an unknown underlying', async () => {
      const port = make()
      expect(await port.expirations('AAPL')).toEqual(simulatedExpirations('AAPL', now))
      expect(await port.expirations('ZZZZZ')).toEqual([])
    })

    it('should answer a whole chain ascending by strike, call first, equal to the model', async () => {
      const port = make()
      const leaps = simulatedExpirations('BKNG', now).at(-1)!
      const chain = await port.chain('BKNG', leaps, all)
      expect(chain.length).toBeGreaterThan(250)
      expect(chain).toEqual(simulatedChain('BKNG', leaps, now, all))
    })

    it('should apply the type and strike filter', async () => {
      const port = make()
      const filter = { contractType: 'put' as const, gte: 200, lte: 230 }
      const chain = await port.chain('AAPL', '2025-03-21', filter)
      expect(chain.length).toBeGreaterThan(0)
      expect(chain).toEqual(simulatedChain('AAPL', '2025-03-21', now, filter))
      expect(await port.chain('AAPL', '2025-03-20', all)).toEqual([])
      expect(await port.chain('ZZZZZ', '2025-03-21', all)).toEqual([])
    })

    it('should answer one contract as the chain does, and null for an unknown or malformed one', async () => {
      const port = make()
      const ticker = simulatedChain('BRK.B', '2025-04-17', now, all)[7]!.contract.ticker
      expect(ticker).toStartWith('O:BRKB250417')
      expect(await port.contract(ticker)).toEqual(simulatedContract(ticker, now))
      expect(await port.contract('O:AAPL250321C00201000')).toBeNull()
      expect(await port.contract('O:AAPL250307C00200000')).toBeNull()
      expect(await port.contract('not-a-ticker')).toBeNull()
    })
  })
}
