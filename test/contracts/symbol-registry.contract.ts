/** The SymbolRegistry contract: one suite every adapter must pass (two instances of one deployment standing in for two replicas). */
import { afterEach, describe, expect, it } from 'bun:test'
import type { SymbolRegistry } from '../../src/ports/symbol-registry'
import { waitFor } from '../support/wait'

/** Two instances of one deployment (two replicas; one process may hand back the same object twice). */
export interface SymbolRegistryPair {
  a: SymbolRegistry
  b: SymbolRegistry
  /** Resolves once every onChange listener registered so far hears the other instance's changes (e.g. its notice topic is confirmed). */
  listening(): Promise<void>
  close(): Promise<void>
}

/** Notices are prompt; the periodic ones (tens of seconds by default) must not be what a test waits for. */
const promptlyMs = 5000

export function symbolRegistryContract(name: string, makePair: () => Promise<SymbolRegistryPair>): void {
  describe(`SymbolRegistry contract: ${name}`, () => {
    let pair: SymbolRegistryPair | null = null
    const open = async () => (pair = await makePair())
    afterEach(async () => {
      await pair?.close()
      pair = null
    })

    it('should answer the sorted union of both instances’ symbols once flushed, with set semantics', async () => {
      const { a, b } = await open()
      expect(await a.wantedUnion()).toEqual([])
      a.want('MSFT')
      a.want('AAPL')
      a.want('AAPL')
      b.want('NVDA')
      b.want('MSFT')
      await Promise.all([a.flush(), b.flush()])
      expect(await a.wantedUnion()).toEqual(['AAPL', 'MSFT', 'NVDA'])
      expect(await b.wantedUnion()).toEqual(['AAPL', 'MSFT', 'NVDA'])
      a.unwant('AAPL') // wanted twice, unwanted once: gone (not counted)
      a.unwant('ZZZZ') // never wanted: nothing changes
      await a.flush()
      expect(await b.wantedUnion()).toEqual(['MSFT', 'NVDA'])
    })

    it('should call listeners after a change of either instance, once the change is readable', async () => {
      const { a, b, listening } = await open()
      const seen: string[][] = []
      a.onChange(() => void a.wantedUnion().then((union) => seen.push(union)))
      await listening()
      b.want('TSLA')
      await waitFor(() => seen.some((union) => union.includes('TSLA')), promptlyMs, 'a notice with TSLA readable')
      a.want('AMD')
      await waitFor(() => seen.some((union) => union.includes('AMD')), promptlyMs, 'a notice with AMD readable')
    })

    it('should stop calling a removed listener and keep calling the others when one throws', async () => {
      const { a, b, listening } = await open()
      const calls = { removed: 0, kept: 0 }
      const original = console.error
      console.error = () => {}
      const remove = a.onChange(() => calls.removed++)
      const removeThrowing = a.onChange(() => {
        throw new Error('listener bug')
      })
      const removeKept = a.onChange(() => calls.kept++)
      try {
        await listening()
        remove()
        b.want('IBM')
        await waitFor(() => calls.kept > 0, promptlyMs, 'the kept listener')
      } finally {
        removeThrowing()
        removeKept()
        console.error = original
      }
      expect(calls.removed).toBe(0) // listeners of one notice run together: the removed one would have run with the kept one
    })

    it('should withdraw a closed instance’s symbols at once, notify, and ignore it afterwards', async () => {
      const { a, b, listening } = await open()
      a.want('GME')
      await a.flush()
      expect(await b.wantedUnion()).toEqual(['GME'])
      let notices = 0
      b.onChange(() => notices++)
      await listening()
      await a.close()
      expect(await b.wantedUnion()).toEqual([])
      await waitFor(() => notices > 0, promptlyMs, 'a notice of the withdrawal')
      a.want('AMC')
      a.unwant('GME')
      await a.flush()
      await a.close()
      expect(await b.wantedUnion()).toEqual([])
    })
  })
}
