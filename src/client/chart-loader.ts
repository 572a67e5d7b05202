/** ChartLoader: the chart's REST loads for the client shell: a symbol at a timespan (stream messages held meanwhile), pages of older history, and a reload after a reset. */
import { chartTimespans, type ChartTimespan } from './chart-series'
import type { MarketModel } from './market-model'
import type { RestApi } from './rest-api'
import type { WireBar } from './wire'

export interface ChartLoaderDeps {
  api: RestApi
  model: MarketModel
  /** The server's time now, as estimated (REST ranges and "known good until" use it). */
  serverNow: () => number
  /** Records a REST failure for the page. */
  restError: (e: unknown) => void
  changed: () => void
}

export class ChartLoader {
  /** The chart's timespan, to load it again the same way after a `reset`. */
  private timespan: ChartTimespan = '1m'

  constructor(private readonly d: ChartLoaderDeps) {}

  /** Shows a ticker at a timespan: REST load (stream messages held meanwhile), then held messages on top. */
  async select(symbol: string, timespan: ChartTimespan): Promise<void> {
    const { api, model } = this.d
    const spec = chartTimespans[timespan]
    this.timespan = timespan
    const req = model.selectChart(symbol, spec, this.d.serverNow())
    this.d.changed()
    try {
      const [history, minutes] = await Promise.all([
        req.historyFrom === null
          ? Promise.resolve([])
          : api.bars({
              ticker: symbol,
              timespan: spec.timespan,
              multiplier: spec.multiplier,
              from: req.historyFrom,
              to: req.coverageFrom - 1,
            }),
        api.bars({ ticker: symbol, timespan: 'minute', from: req.minutesFrom }),
      ])
      model.applyChartLoad(req, history, minutes, this.d.serverNow())
    } catch (e) {
      model.chartLoadFailed(req)
      this.d.restError(e)
    }
    this.d.changed()
  }

  /** Loads `symbol` again at the timespan it was last shown at (its history changed scale). */
  reload(symbol: string): Promise<void> {
    return this.select(symbol, this.timespan)
  }

  /** Loads the page of history before the chart's earliest bar (scrolling left); a no-op while one is in flight or after the data ended. */
  async loadOlder(): Promise<void> {
    const req = this.d.model.beginOlder()
    if (!req) return
    this.d.changed()
    let bars: WireBar[] | null = null
    try {
      const { spec } = req
      bars = await this.d.api.bars({
        ticker: req.symbol,
        timespan: spec.timespan,
        multiplier: spec.multiplier,
        from: req.from,
        to: req.before - 1,
      })
    } catch (e) {
      this.d.restError(e)
    }
    this.d.model.applyOlder(req, bars)
    this.d.changed()
  }
}
