/** createStreamModule: the real-time stream — the WebSocket route, its actors, local fan-out and lifecycle, built from injected ports. */
import type { Server } from 'bun'
import type { TokenRef } from '../core/revocation-list'
import { ConnectionActor, connectionSignals } from '../actors/connection-actor'
import type { UpstreamReport } from '../actors/upstream-actor'
import { keepaliveIntervalMs, sweepIntervalMs } from '../core/heartbeat'
import { controlMessage } from '../contract/protocol'
import type { ResetReason } from '../contract/messages'
import type { SessionEvents } from '../services/session-service'
import type { WatchlistEvents } from '../services/watchlist-service'
import type { Clock } from '../ports/clock'
import type { Revocation } from '../ports/revoked-tokens'
import { ConnectionRegistry } from './connections'
import { StreamCounters } from './stream-counters'
import type { LiveSnapshot } from '../ports/live-snapshots'
import { SymbolPipeline, type PipelineRestarts } from './symbol-pipeline'
import { createStreamRoute, streamPath } from './stream-route'
import { streamWebSocketOptions } from './ws-options'
import { UpstreamHealth } from './upstream-health'
import { liveTopic, MarketStatusBroadcast } from './market-status-broadcast'
import { streamTuning, type StreamModuleDeps } from './stream-deps'

export { streamPath }
export type { StreamModuleDeps, StreamTuning } from './stream-deps'
/**
 * Bun topic of the app-level heartbeat: one serialisation and publish per keepalive interval for
 * every socket, so each hears something at least that often. It is the topic session changes use,
 * so a socket holds one subscription, not two.
 */
const heartbeatTopic = liveTopic

export interface StreamStatus {
  /** This replica's bus node id (epochs of symbols it streams start with it). */
  nodeId: string
  accepting: boolean
  holdingUpstream: boolean
  connections: number
  users: number
  conflating: number
  /** Symbols with local subscribers, and how many each. */
  symbols: Record<string, number>
  /** Symbols with a running SymbolActor (holder only; includes grace). */
  actors: string[]
  upstream: UpstreamReport
  /** Supervised actors replaced after a failure since start. */
  restarts: PipelineRestarts
  client: ReturnType<UpstreamHealth['view']>
}

export function createStreamModule(deps: StreamModuleDeps) {
  const { config, clock, log, bus } = deps
  const tuning = streamTuning(config, deps.tuning)
  let server: Pick<Server<unknown>, 'publish'> | null = null
  let accepting = true
  let holding = false
  let connSeq = 0
  const counters = new StreamCounters()

  const pipeline = new SymbolPipeline({
    clock,
    log,
    bus,
    registry: deps.registry,
    feed: deps.feed,
    publishLocal: (topic, payload) => server?.publish(topic, payload) ?? 0,
    flushMs: config.flushMs,
    derivedMs: config.derivedMs,
    graceMs: tuning.symbolGraceMs,
    pressureCheckBytes: tuning.softBufferBytes / 2,
    seed: deps.snapshotSource,
    regularSession: deps.regularSession,
    conditions: deps.conditions,
    tradeHistory: deps.tradeHistory,
    random: tuning.random,
  })
  const fanout = pipeline.fanout
  const marketStatus = deps.marketStatus
    ? new MarketStatusBroadcast(deps.marketStatus, clock, (topic, payload) => server?.publish(topic, payload))
    : null
  const connections = new ConnectionRegistry(bus, log, clock, sweepIntervalMs(config.heartbeatMs), (revocation) =>
    deps.revocations?.learn(revocation),
  )
  const health = new UpstreamHealth(bus, clock, 3 * config.heartbeatMs, () =>
    connections.broadcast(connectionSignals.statusChanged),
  )
  const context = {
    clock,
    log,
    limits: config,
    verifier: deps.verifier,
    watchlist: deps.watchlist,
    counter: deps.counter,
    fanout,
    upstreamHealth: () => health.view(),
    userConnections: (userId: number) => connections.userConnections(userId),
    scheduleSweep: (conn: ConnectionActor, at: number) => connections.scheduleSweep(conn, at),
    membershipChanged: (conn: ConnectionActor, live: boolean) => {
      if (live) {
        marketStatus?.welcome(conn)
        conn.subscribeTopic(heartbeatTopic)
      }
      connections.membershipChanged(conn, live)
    },
    userEventsHeard: (userId: number) =>
      new Promise<void>((resolve) => {
        const timer = clock.setTimeout(() => {
          log.warn('the bus did not confirm a user topic in time; admitting on the revocation store alone', { userId })
          resolve()
        }, tuning.userTopicConfirmMs)
        void connections.userTopicSubscribed(userId).then(() => (clock.clearTimeout(timer), resolve()))
      }),
    isRevoked: async (token: TokenRef) => (await deps.revocations?.isRevoked(token)) ?? false,
    softBufferBytes: tuning.softBufferBytes,
    maxBehindMs: tuning.maxBehindMs,
    closeGraceMs: tuning.closeGraceMs,
    errorBudget: tuning.errorBudget,
    errorWindowMs: tuning.errorWindowMs,
    errorSent: (code: string) => counters.errorSent(code),
  }
  const cleanups: (() => void)[] = [pipeline.onReport((report) => health.setLocal(report))]

  // One sweep timer: each tick visits only the connections whose deadline (ping, liveness, token expiry, conflation) has come.
  let sweepTimer: ReturnType<Clock['setTimeout']> | null = null
  let nextHeartbeatAt = clock.now() + config.heartbeatMs
  const runSweep = () => {
    const now = clock.now()
    connections.sweepDue(now)
    if (now >= nextHeartbeatAt) {
      nextHeartbeatAt = now + config.heartbeatMs
      health.tick()
    }
  }
  const sweepLoop = () => {
    sweepTimer = clock.setTimeout(sweepLoop, sweepIntervalMs(config.heartbeatMs))
    runSweep()
  }
  // Its own timer, not the sweep's 250 ms grain: a client's dead-link watchdog counts these intervals.
  let keepaliveTimer: ReturnType<Clock['setTimeout']> | null = null
  const keepaliveLoop = () => {
    keepaliveTimer = clock.setTimeout(keepaliveLoop, keepaliveIntervalMs(config.heartbeatMs, config.keepaliveMs))
    server?.publish(heartbeatTopic, controlMessage('heartbeat', {}, clock.now()))
  }

  const route = createStreamRoute({
    clock,
    verifier: deps.verifier,
    users: deps.users,
    corsOrigins: deps.corsOrigins,
    counters,
    maxConnections: deps.maxConnections,
    accepting: () => accepting,
    openSockets: () => connections.size,
    admit(socket, principal) {
      const conn = new ConnectionActor(`${bus.nodeId}-${++connSeq}`, principal, socket, context)
      connections.add(conn)
      counters.opened++
      conn.send(connectionSignals.opened)
      return conn
    },
    released(conn, code) {
      counters.closed(code)
      conn.socketClosed()
      connections.remove(conn)
      if (connections.size === 0) allClosed?.()
    },
    options: streamWebSocketOptions(config),
  })

  let allClosed: (() => void) | null = null

  const setUpstreamHolding = (hold: boolean) => {
    if (hold === holding) return
    holding = hold
    pipeline.setHolding(hold)
    health.setHolding(hold, pipeline.report())
  }

  return {
    routes: route.routes,
    /** Bun's websocket handlers and options: pass to the server's listen. */
    websocket: route.websocket,
    /** Hands the listening server to the stream (local topic publishes). */
    attach(listening: Pick<Server<unknown>, 'publish'>): void {
      server = listening
    },
    /** True while the process holds its cap of streams (readiness). */
    full: route.full,
    watchlistEvents: {
      removed: (userId: number, ticker: string) =>
        connections.publishUserEvent(userId, { type: 'watchlist_removed', ticker }),
    } satisfies WatchlistEvents,
    /** Sign-outs: closes the covered streams of the user here and, through the bus, on every other replica. */
    sessionEvents: {
      revoked: (userId: number, revocation: Revocation) =>
        connections.publishUserEvent(userId, { type: 'session_revoked', revocation }),
    } satisfies SessionEvents,

    start(): void {
      pipeline.start()
      marketStatus?.start()
      if (sweepTimer === null) sweepLoop()
      if (keepaliveTimer === null)
        keepaliveTimer = clock.setTimeout(keepaliveLoop, keepaliveIntervalMs(config.heartbeatMs, config.keepaliveMs))
      if (tuning.holdUpstreamOnStart) setUpstreamHolding(true)
    },

    /** Start (true) or stop (false) holding the upstream feed; a Redis lease calls this with multiple replicas. */
    setUpstreamHolding,

    /** Stops accepting, closes every client with 4000 SERVER_RESTART, stops actors and the feed, within stopTimeoutMs. */
    async stop(reason = 'the server is restarting'): Promise<void> {
      accepting = false
      if (sweepTimer) clock.clearTimeout(sweepTimer)
      if (keepaliveTimer) clock.clearTimeout(keepaliveTimer)
      sweepTimer = keepaliveTimer = null
      for (const conn of [...connections.connections()]) conn.closeWith('SERVER_RESTART', reason)
      setUpstreamHolding(false)
      pipeline.stop()
      marketStatus?.stop()
      health.close()
      connections.close()
      for (const cleanup of cleanups) cleanup()
      if (connections.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, tuning.stopTimeoutMs)
          allClosed = () => (clearTimeout(timer), resolve())
        })
        for (const conn of [...connections.connections()]) conn.terminate()
      }
    },

    /**
     * The latest snapshot this replica received for a symbol it streams, or null (a
     * LiveSnapshotSource for the REST snapshots service). While the feed is healthy the value is
     * current even if no trade came for a while, so `receivedAt` is now; otherwise it is when the
     * snapshot arrived.
     */
    liveSnapshot(ticker: string): LiveSnapshot | null {
      const snapshot = fanout.liveSnapshot(ticker)
      if (snapshot === null) return null
      return health.view().upstream === 'ok' ? { ...snapshot, receivedAt: clock.now() } : snapshot
    },

    /** A symbol's prices changed scale (a split): its subscribers get a `reset` from the upstream holder's actor, through every replica. */
    resetSymbol(symbol: string, reason: ResetReason): void {
      pipeline.reset(symbol, reason)
    },

    /** Counters since start, for /metrics (status() has the current values). */
    counters: () => ({ sockets: counters as Readonly<StreamCounters>, published: fanout.published() }),

    status(): StreamStatus {
      let conflating = 0
      for (const conn of connections.connections()) if (conn.conflating) conflating++
      return {
        nodeId: bus.nodeId,
        accepting,
        holdingUpstream: holding,
        connections: connections.size,
        users: connections.userCount,
        conflating,
        symbols: fanout.symbols(),
        actors: pipeline.wanted(),
        upstream: pipeline.report(),
        restarts: { ...pipeline.restarts },
        client: health.view(),
      }
    },
  }
}

export type StreamModule = ReturnType<typeof createStreamModule>
