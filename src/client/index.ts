/** Public surface of the typed market-watch client (browser and Bun): the shell, its pure core and the wire types. */
export {
  MarketClient,
  type ClientStatus,
  type MarketClientDeps,
  type MarketClientOptions,
  type Outage,
} from './market-client'
export {
  MarketModel,
  defaultModelOptions,
  type ChartPhase,
  type ChartRequest,
  type MarketModelOptions,
  type SnapshotRow,
} from './market-model'
export {
  defaultMachineOptions,
  initialMachine,
  isPollingState,
  reconnectDelay,
  transition,
  watchdogVerdict,
  type ConnectionState,
  type Machine,
  type MachineCommand,
  type MachineEvent,
  type MachineOptions,
  type Reason,
} from './connection-machine'
export {
  chartTimespans,
  displayBars,
  isChartTimespan,
  planChart,
  type ChartTimespan,
  type TimespanSpec,
} from './chart-series'
export { applyTrade, mergeStreamBar, replaceFrom, type BarOrigin, type MinuteBar } from './minute-bars'
export { checkSequence, type SequenceVerdict, type StreamCursor } from './sequence'
export {
  ApiError,
  createRestApi,
  type FetchLike,
  type OptionChainQuery,
  type RestApi,
} from './rest-api'
export { ServerClock, defaultServerClockOptions, type ServerClockOptions } from './server-clock'
export { StreamConnection, type SocketFactory, type StreamSocket } from './stream-connection'
export * from './wire'
