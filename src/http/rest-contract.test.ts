/** The route schemas answer exactly the REST shapes of the contract the browser client reads (a compile-time check), and the schemas accept contract-typed answers. */
import { describe, expect, it } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import type * as Rest from '../contract/rest'
import { AuthModel } from './modules/auth/model'
import { MarketDataModel } from './modules/market-data/model'
import { OptionsModel } from './modules/options/model'
import { WatchlistModel } from './modules/watchlist/model'

/** true when A and B are assignable both ways, else false (and the assignment below does not type-check). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

const schemasMatchTheContract: {
  user: Same<typeof AuthModel.user.static, Rest.User>
  session: Same<typeof AuthModel.session.static, Rest.Session>
  watchlist: Same<typeof WatchlistModel.list.static, Rest.Watchlist>
  snapshot: Same<typeof MarketDataModel.snapshot.static, Rest.Snapshot>
  barsPage: Same<typeof MarketDataModel.barsPage.static, Rest.BarsPage>
  marketStatus: Same<typeof MarketDataModel.marketStatus.static, Rest.MarketStatus>
  expirations: Same<typeof OptionsModel.expirations.static, Rest.ExpirationsAnswer>
  chainSide: Same<typeof OptionsModel.chainSide.static, Rest.ChainSide>
  chain: Same<typeof OptionsModel.chain.static, Rest.ChainAnswer>
  contract: Same<typeof OptionsModel.contract.static, Rest.ContractAnswer>
} = {
  user: true,
  session: true,
  watchlist: true,
  snapshot: true,
  barsPage: true,
  marketStatus: true,
  expirations: true,
  chainSide: true,
  chain: true,
  contract: true,
}

describe('REST contract', () => {
  it('should be the shape of every answer the client reads (checked by tsc)', () => {
    expect(Object.values(schemasMatchTheContract).every((same) => same === true)).toBe(true)
  })

  it('should be accepted by the route schemas', () => {
    const user: Rest.User = { id: 1, email: 'ada@example.com', created_at: '2025-01-02T03:04:05.000Z' }
    const session: Rest.Session = { token: 'a.b.c', token_type: 'Bearer', expires_at: user.created_at, user }
    const snapshots: Rest.SnapshotsAnswer = {
      results: [
        { ticker: 'AAPL', last: 1, change: 0, change_pct: 0, prev_close: 1, bid: 0.99, ask: 1.01, bid_size: 3, ask_size: 5, updated_at: user.created_at, source: 'WS', session: 'open' },
        { ticker: 'MSFT', last: 1, change: 0, change_pct: 0, prev_close: 1, bid: null, ask: null, bid_size: null, ask_size: null, updated_at: user.created_at, source: 'REST', session: 'open' },
      ],
      errors: [{ ticker: 'ZZZZ', code: 'UNKNOWN_TICKER', message: 'unknown' }],
    }
    const chain: Rest.ChainAnswer = {
      underlying: 'AAPL',
      expiration: '2025-04-17',
      underlying_price: null,
      updated_at: user.created_at,
      source: 'simulated',
      stale: true,
      as_of: user.created_at,
      strikes: [{ strike: 100, call: null, put: null }],
    }
    expect(Value.Check(AuthModel.session, session)).toBe(true)
    expect(Value.Check(MarketDataModel.snapshots, snapshots)).toBe(true)
    expect(Value.Check(OptionsModel.chain, chain)).toBe(true)
  })
})
