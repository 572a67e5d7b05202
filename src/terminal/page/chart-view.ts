/** The candlestick + volume chart (lightweight-charts): draws the model's bars, updating only the tail when it can. */
import {
  CandlestickSeries,
  ColorType,
  createChart,
  CrosshairMode,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts'
import type { WireBar } from '../../client/wire'
import { fullTime, tickLabel } from './format'

const up = '#22c55e'
const down = '#ef4444'

const sameBar = (a: WireBar, b: WireBar) =>
  a.t === b.t && a.o === b.o && a.h === b.h && a.l === b.l && a.c === b.c && a.v === b.v && a.vw === b.vw && a.n === b.n

export class ChartView {
  private chart: IChartApi
  private candles: ISeriesApi<'Candlestick'>
  private volumes: ISeriesApi<'Histogram'>
  private drawn: WireBar[] = []
  private key = ''

  constructor(container: HTMLElement) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: '#8b96a8',
        fontFamily: 'inherit',
      },
      grid: { vertLines: { color: 'rgba(148,163,184,0.06)' }, horzLines: { color: 'rgba(148,163,184,0.06)' } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: 'rgba(148,163,184,0.15)' },
      timeScale: {
        borderColor: 'rgba(148,163,184,0.15)',
        timeVisible: true,
        secondsVisible: false,
        tickMarkFormatter: (time: unknown, kind: number) => tickLabel(Number(time), kind),
      },
      localization: { timeFormatter: (time: unknown) => fullTime(Number(time) * 1000) },
    })
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: up,
      downColor: down,
      borderUpColor: up,
      borderDownColor: down,
      wickUpColor: up,
      wickDownColor: down,
    })
    this.volumes = this.chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    })
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } })
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.24 } })
  }

  /** The bars as drawn (ascending), for the page's test hook. */
  bars(): WireBar[] {
    return this.drawn.map((b) => ({ ...b }))
  }

  /** Draws `bars` for `key` (symbol + timespan): a new key or a changed history redraws all, else only the tail moves. */
  show(key: string, bars: WireBar[]): void {
    const prev = this.drawn
    const tailOnly =
      key === this.key &&
      prev.length > 0 &&
      bars.length >= prev.length &&
      bars.length <= prev.length + 2 &&
      prev.slice(0, -1).every((b, i) => sameBar(b, bars[i]))
    if (tailOnly) {
      for (let i = prev.length - 1; i < bars.length; i++) if (!prev[i] || !sameBar(prev[i], bars[i])) this.draw(bars[i])
    } else {
      this.candles.setData(bars.map(candle))
      this.volumes.setData(bars.map(volumeBar))
      if (key !== this.key) this.chart.timeScale().fitContent()
    }
    this.drawn = bars
    this.key = key
  }

  private draw(b: WireBar): void {
    this.candles.update(candle(b))
    this.volumes.update(volumeBar(b))
  }
}

const time = (b: WireBar) => (b.t / 1000) as UTCTimestamp
const candle = (b: WireBar) => ({ time: time(b), open: b.o, high: b.h, low: b.l, close: b.c })
const volumeBar = (b: WireBar) => ({
  time: time(b),
  value: b.v,
  color: b.c >= b.o ? 'rgba(34,197,94,0.35)' : 'rgba(239,68,68,0.35)',
})
