/** The candlestick + volume chart (lightweight-charts): draws the model's bars (tail-only when it can), opens each symbol and timeframe at its latest bars, asks for older history near the left edge, and shows the bar under the pointer. */
import {
  CandlestickSeries,
  ColorType,
  createChart,
  CrosshairMode,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type LogicalRange,
  type MouseEventParams,
  type UTCTimestamp,
} from 'lightweight-charts'
import type { WireBar } from '../../client/wire'
import { setText } from './dom'
import { fullTime, price, tickLabel, volume } from './format'

export interface ChartHandlers {
  /** The view reached the oldest bar drawn: load the page before it. */
  older(): void
}

/** The parts of the page around the chart: the O/H/L/C/V legend and the "jump to live" button. */
export interface ChartChrome {
  legend: HTMLElement
  live: HTMLButtonElement
}

/** Bars shown when a symbol or timeframe opens (its latest), and how close to the left edge older history is asked for. */
const openBars = 120
const olderMargin = 10

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
  /** The chart opens at its latest bars as soon as it has bars (a new key starts empty while it loads). */
  private resetPending = true
  private hovered: WireBar | null = null

  constructor(
    container: HTMLElement,
    private chrome: ChartChrome,
    private handlers: ChartHandlers,
  ) {
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
      // The volume scale, on the left, under the candles.
      leftPriceScale: { visible: true, borderColor: 'rgba(148,163,184,0.15)', scaleMargins: { top: 0.8, bottom: 0 } },
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
      priceScaleId: 'left',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    })
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.24 } })
    this.chart.timeScale().subscribeVisibleLogicalRangeChange((range) => this.viewMoved(range))
    this.chart.subscribeCrosshairMove((p) => this.pointerMoved(p))
    chrome.live.addEventListener('click', () => this.jumpToLive())
  }

  /** Scrolls to the latest bars at the default zoom. */
  jumpToLive(): void {
    // At once (scrollToRealTime animates, and older bars arriving mid-animation would stop it half-way).
    const n = this.drawn.length
    if (n) this.chart.timeScale().setVisibleLogicalRange({ from: n - openBars, to: n + 3 })
  }

  /** True when the latest bar is out of view to the right (the user scrolled back). */
  scrolledBack(): boolean {
    const range = this.chart.timeScale().getVisibleLogicalRange()
    return range !== null && this.drawn.length > 0 && range.to < this.drawn.length - 1.5
  }

  /** The visible range as bar times (Unix ms), for the page's test hook. */
  visibleTimes(): { from: number; to: number } | null {
    const range = this.chart.timeScale().getVisibleLogicalRange()
    if (!range || !this.drawn.length) return null
    const at = (i: number) => this.drawn[Math.max(0, Math.min(this.drawn.length - 1, Math.round(i)))].t
    return { from: at(range.from), to: at(range.to) }
  }

  private viewMoved(range: LogicalRange | null): void {
    this.chrome.live.hidden = !this.scrolledBack()
    if (range && this.drawn.length && !this.resetPending && range.from < olderMargin) this.handlers.older()
  }

  private pointerMoved(p: MouseEventParams): void {
    const t = typeof p.time === 'number' ? p.time * 1000 : null
    this.hovered = t === null ? null : (this.drawn.find((b) => b.t === t) ?? null)
    this.legend()
  }

  /** O/H/L/C/V of the bar under the pointer, else of the latest bar. */
  private legend(): void {
    const b = this.hovered ?? this.drawn[this.drawn.length - 1]
    const text = b
      ? `${fullTime(b.t)}  O ${price(b.o)}  H ${price(b.h)}  L ${price(b.l)}  C ${price(b.c)}  V ${volume(b.v)}`
      : ''
    setText(this.chrome.legend, text)
    this.chrome.legend.dataset.dir = b ? (b.c >= b.o ? 'up' : 'down') : 'flat'
  }

  /** The bars as drawn (ascending), for the page's test hook. */
  bars(): WireBar[] {
    return this.drawn.map((b) => ({ ...b }))
  }

  /**
   * Draws `bars` for `key` (symbol + timespan): a new key or a changed history redraws all, else only
   * the tail moves. A new key opens at its latest bars.
   */
  show(key: string, bars: WireBar[]): void {
    const prev = this.drawn
    // A new key, or a reload of this one (its bars start empty), opens at the latest bars once they come.
    if (key !== this.key || bars.length === 0) this.resetPending = true
    const tailOnly =
      key === this.key &&
      prev.length > 0 &&
      bars.length >= prev.length &&
      bars.length <= prev.length + 2 &&
      prev.slice(0, -1).every((b, i) => sameBar(b, bars[i]))
    if (tailOnly) {
      for (let i = prev.length - 1; i < bars.length; i++) if (!prev[i] || !sameBar(prev[i], bars[i])) this.draw(bars[i])
      this.drawn = bars
    } else {
      // Older bars put in front (or a recovery redrawing the tail) keep the view's distance from the last bar.
      const position = this.chart.timeScale().scrollPosition()
      this.drawn = bars
      this.candles.setData(bars.map(candle))
      this.volumes.setData(bars.map(volumeBar))
      if (!this.resetPending && Number.isFinite(position)) this.chart.timeScale().scrollToPosition(position, false)
    }
    this.key = key
    if (this.resetPending && bars.length) {
      this.resetPending = false
      this.hovered = null
      this.jumpToLive()
    }
    this.chrome.live.hidden = !this.scrolledBack()
    this.legend()
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
