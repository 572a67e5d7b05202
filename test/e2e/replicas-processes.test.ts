/** Three `bun src/main.ts` replicas on one PostgreSQL and a private Redis: identical streams on every replica, one Redis publish per message, kill -9 failover, and recovery from a Redis restart. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config'
import { postgresUrl, testJwtSecret } from '../support/harness'
import { createMassiveServer, type MassiveServer } from '../support/massive-server'
import { connectRedis, PrivateRedisServer, uniquePrefix, waitFor } from '../support/redis-harness'
import { api, ReplicaProcess, signUpWith } from '../support/replica-processes'
import { metricOf } from '../support/replica-cluster'
import { closedWithin, StreamClient } from '../support/stream-client'
import {
  commonWindow,
  continuityProblems,
  isMarket,
  latestEpoch,
  newRun,
  receivedSince,
} from '../support/stream-sequences'

const symbols = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL']
/** The replicas run with the default lease (UPSTREAM_LEASE_MS unset). */
const leaseMs = loadConfig({}).upstreamLeaseMs
/** README, Operations › Upstream takeover: from kill -9 of the holder to trades flowing again on the survivors. */
const takeoverBoundMs = 3000
/**
 * Wednesday 12 March 2025, 11:00 in New York. The replicas take the live feed from a local
 * Massive-compatible server (MASSIVE_WS_URL) that replays the simulated market from that
 * instant on, so trades are dense at whatever hour the test runs.
 */
const marketStart = Date.UTC(2025, 2, 12, 15, 0, 0)

const lastStatus = (client: StreamClient) => client.messages.findLast((m) => m.type === 'status')

interface Client {
  client: StreamClient
  replica: ReplicaProcess
}

describe('three replica processes on one Redis and one PostgreSQL', () => {
  const redis = new PrivateRedisServer()
  const replicas: ReplicaProcess[] = []
  const tokens: string[] = []
  const timings: Record<string, number> = {}
  let clients: Client[] = []
  let massive: MassiveServer
  let dataDir: string
  let env: Record<string, string>

  beforeAll(async () => {
    await redis.start()
    const realStart = Date.now()
    massive = createMassiveServer({ now: () => marketStart + (Date.now() - realStart), feedTickMs: 50 })
    dataDir = mkdtempSync(join(tmpdir(), 'mw-replicas-'))
    env = {
      NODE_ENV: 'development',
      JWT_SECRET: testJwtSecret,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: postgresUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniquePrefix('replicas'),
      LOG_LEVEL: 'warn',
      MASSIVE_API_KEY: massive.apiKey,
      MASSIVE_REST_URL: massive.url,
      MASSIVE_WS_URL: massive.wsUrl,
      MASSIVE_REQUESTS_PER_MINUTE: '0',
      PREFETCH_INTERVAL_SECONDS: '0',
    }
    // All three start at once, as in a deploy (migrations are serialised by an advisory lock).
    replicas.push(...(await Promise.all(['r1', 'r2', 'r3'].map((name) => ReplicaProcess.start(name, env)))))
    for (let i = 0; i < 6; i++) tokens.push(await signUpWith(replicas[i % 3].url, symbols))
  }, 60_000)

  afterAll(async () => {
    for (const { client } of clients) client.close()
    await Promise.allSettled(replicas.map((r) => r.stop()))
    await massive?.stop()
    await redis.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    console.log(`replica processes: ${JSON.stringify(timings)}`)
  }, 30_000)

  const alive = () => replicas.filter((r) => r.alive)
  const components = async (r: ReplicaProcess) =>
    (await api(r.url, 'GET', '/api/v1/market-data/status', { token: tokens[0] })).json.components

  /** The one live replica holding the upstream lease (waits until there is exactly one). */
  async function holder(timeoutMs = 10_000): Promise<{ replica: ReplicaProcess; nodeId: string }> {
    let found: { replica: ReplicaProcess; nodeId: string }[] = []
    await waitFor(
      async () => {
        const all = await Promise.all(alive().map(async (replica) => ({ replica, c: await components(replica) })))
        found = all
          .filter(({ c }) => c.upstream_lease.holding)
          .map(({ replica, c }) => ({ replica, nodeId: c.stream.nodeId }))
        return found.length === 1 && all.every(({ c }) => c.bus.state === 'ok')
      },
      timeoutMs,
      'exactly one replica holding the upstream lease, every bus ok',
    )
    return found[0]
  }

  /** The most feed connections the provider had open at once since the start. */
  function mostFeedConnections(): number {
    let open = 0
    let most = 0
    for (const frame of massive.wsLog)
      most = Math.max(most, (open += frame.kind === 'open' ? 1 : frame.kind === 'close' ? -1 : 0))
    return most
  }

  async function connect(replica: ReplicaProcess, token: string, wanted = symbols): Promise<Client> {
    const entry = { client: StreamClient.connect(`${replica.wsUrl}?token=${token}`), replica }
    clients.push(entry)
    await entry.client.nextOf('welcome', 5000)
    expect((await entry.client.request({ action: 'subscribe', symbols: wanted }, 5000)).type).toBe('subscribed')
    return entry
  }

  async function closeAll(list: Client[]): Promise<void> {
    for (const { client } of list) client.close()
    await Promise.all(list.map(({ client }) => closedWithin(client, 5000)))
    clients = clients.filter((c) => !list.includes(c))
  }

  /** Waits until every client has market messages of every symbol after index `marks[i]`. */
  async function allReceiving(list: Client[], marks: number[], wanted = symbols, timeoutMs = 10_000): Promise<void> {
    await Promise.all(
      list.flatMap(({ client }, i) =>
        wanted.map((symbol) => receivedSince(client, marks[i], (m) => isMarket(m) && m.symbol === symbol, timeoutMs)),
      ),
    )
  }

  /** The newest server time (`ts`) of a message the first client of `list` has. */
  const serverNow = (list: Client[]) => list[0].client.messages.at(-1)?.ts ?? 0

  /**
   * After `ms` more of streaming (server time, as the messages carry it) and at least `minPerSymbol`
   * common seqs of every symbol: every client's new messages from `marks` on are gap-free and,
   * over their common seqs, identical.
   */
  async function expectIdenticalStreams(
    list: Client[],
    marks: number[],
    ms: number,
    minPerSymbol: number,
  ): Promise<number> {
    const runsOf = (symbol: string) => {
      const epoch = latestEpoch(list[0].client, symbol)!
      return list.map(({ client }, i) => newRun(client, symbol, epoch, marks[i]))
    }
    const from = serverNow(list)
    await waitFor(
      () =>
        serverNow(list) >= from + ms &&
        symbols.every((symbol) => {
          const { lo, hi } = commonWindow(runsOf(symbol))
          return hi - lo + 1 >= minPerSymbol
        }),
      ms + 20_000,
      `${ms} ms more of streaming and ${minPerSymbol} common seqs of every symbol`,
    )
    let compared = 0
    for (const symbol of symbols) {
      const runs = runsOf(symbol)
      for (const run of runs) expect(continuityProblems(run)).toEqual([])
      const { lo, hi, windows } = commonWindow(runs)
      expect(hi - lo + 1).toBeGreaterThanOrEqual(minPerSymbol)
      for (const window of windows.slice(1)) expect(window).toEqual(windows[0])
      compared += windows[0].length
    }
    return compared
  }

  it('should give clients on different replicas the same market messages in the same order', async () => {
    const { nodeId } = await holder()
    const list: Client[] = []
    for (let i = 0; i < 6; i++) list.push(await connect(replicas[i % 3], tokens[i]))
    await allReceiving(
      list,
      list.map(() => 0),
    )
    // Re-sent latest values for late joiners may still come: newRun leaves them out, whenever they arrive.
    const marks = list.map(({ client }) => client.messages.length)
    timings.messagesCompared = await expectIdenticalStreams(list, marks, 4000, 5)
    for (const { client } of list) expect(latestEpoch(client, 'AAPL')!.startsWith(`${nodeId}.`)).toBe(true)
    await closeAll(list)
  }, 60_000)

  it('should publish each message to Redis once per symbol, however many clients receive it', async () => {
    const list: Client[] = []
    for (let i = 0; i < 30; i++) list.push(await connect(replicas[i % 3], tokens[i % 6], ['AAPL']))
    await allReceiving(
      list,
      list.map(() => 0),
      ['AAPL'],
    )
    const probe = connectRedis(redis.url)
    // Each replica's delivery canary is a PUBLISH too (every 2 s): counted apart, from its /metrics.
    const canaries = async () =>
      (await Promise.all(alive().map((r) => metricOf(r, 'marketwatch_bus_canary_sent_total')))).reduce(
        (a, b) => a + b,
        0,
      )
    const publishes = async () =>
      Number((await probe.info('commandstats')).match(/cmdstat_publish:calls=(\d+)/)?.[1] ?? 0) - (await canaries())
    const before = await publishes()
    const marks = list.map(({ client }) => client.messages.length)
    // 4 s of streaming, in server time as the messages carry it, and ten new AAPL messages on every client.
    const runsNow = () => list.map(({ client }, i) => newRun(client, 'AAPL', latestEpoch(client, 'AAPL')!, marks[i]))
    const from = serverNow(list)
    await waitFor(
      () => serverNow(list) >= from + 4000 && runsNow().every((run) => run.length >= 10),
      30_000,
      '4 s of streaming and ten new messages on every client',
    )
    const published = (await publishes()) - before
    probe.disconnect()
    const runs = runsNow()
    const received = runs.map((r) => r.length)
    const messages = Math.max(...received)
    expect(messages).toBeGreaterThanOrEqual(10)
    for (const n of received) expect(n).toBeGreaterThanOrEqual(messages - 2)
    // A symbol event is one flush of the symbol actor: its messages (trade, bar, snapshot) share the send time `ts`.
    const longest = runs[received.indexOf(messages)]
    const events = new Set(longest.map((m: any) => m.ts)).size
    // One PUBLISH per symbol event, plus at most a few control messages (the holder's upstream report).
    expect(published).toBeGreaterThanOrEqual(events - 2)
    expect(published).toBeLessThanOrEqual(events + 3)
    expect(published).toBeLessThan(messages)
    Object.assign(timings, {
      clients: list.length,
      messages,
      events,
      deliveries: received.reduce((a, b) => a + b, 0),
      publishes: published,
    })
    await closeAll(list)
  }, 60_000)

  it('should resume the stream through another replica within the stated takeover bound, on default settings, when the holder is killed', async () => {
    const old = await holder()
    const list: Client[] = []
    for (let i = 0; i < 6; i++) list.push(await connect(replicas[i % 3], tokens[i]))
    await allReceiving(
      list,
      list.map(() => 0),
    )
    const onOld = list.filter((c) => c.replica === old.replica)
    const survivors = list.filter((c) => c.replica !== old.replica)
    const killedAt = Date.now()
    const marks = survivors.map(({ client }) => client.messages.length)
    await old.replica.kill()
    const resumed = await Promise.all(
      survivors.map(async ({ client }, i) => {
        await receivedSince(
          client,
          marks[i],
          (m) => m.type === 'trade' && !m.epoch!.startsWith(`${old.nodeId}.`),
          15_000,
        )
        return Date.now() - killedAt
      }),
    )
    timings.failoverMs = Math.max(...resumed)
    expect(timings.failoverMs).toBeLessThanOrEqual(takeoverBoundMs)
    for (const { client } of onOld) expect((await closedWithin(client, 5000)).code).toBe(1006)
    clients = clients.filter((c) => !onOld.includes(c))
    const next = await holder()
    expect(next.replica).not.toBe(old.replica)
    expect(mostFeedConnections()).toBe(1) // the provider never saw two at once (one per account)
    const newMarks = survivors.map(({ client }) => client.messages.length)
    await allReceiving(survivors, newMarks)
    await expectIdenticalStreams(survivors, newMarks, 2000, 2)
    for (const symbol of symbols)
      expect(latestEpoch(survivors[0].client, symbol)!.startsWith(`${next.nodeId}.`)).toBe(true)
    // A replacement replica joins the running cluster; its clients stream like the others.
    replicas.push(await ReplicaProcess.start('r4', env))
    for (let i = 0; i < 2; i++) await connect(replicas.at(-1)!, tokens[i])
  }, 60_000)

  it('should report a Redis outage to every client, stay up, and recover by itself when Redis is back', async () => {
    const { replica: held } = await holder()
    const all = [...clients]
    expect(new Set(all.map((c) => c.replica)).size).toBe(3)
    await allReceiving(
      all,
      all.map(({ client }) => client.messages.length),
    )
    // Every client, also those of the replica that joined last, is told the feed is ok.
    await waitFor(
      () => all.every(({ client }) => lastStatus(client)?.data.upstream === 'ok'),
      5000,
      'every client told ok',
    )
    const downMarks = all.map(({ client }) => client.messages.length)
    const killedAt = Date.now()
    await redis.kill()
    const notices = await Promise.all(
      all.map(({ client }, i) =>
        receivedSince(client, downMarks[i], (m) => m.type === 'status' && m.data.upstream !== 'ok', 10_000),
      ),
    )
    timings.degradedNoticeMs = Date.now() - killedAt
    for (const notice of notices) expect(notice.data.reason.code).toMatch(/^(BUS_DEGRADED|UPSTREAM_)/)
    // The holder keeps serving its own clients from its feed until its lease runs out.
    for (const [i, { client, replica }] of all.entries()) {
      if (replica !== held) continue
      await receivedSince(client, client.messages.indexOf(notices[i]) + 1, isMarket, leaseMs)
    }
    // The scenario is an outage of two leases (its length is what is tested), by the end of which
    // the holder has given up and nobody can hold the feed.
    await waitFor(
      async () =>
        Date.now() >= killedAt + 2 * leaseMs &&
        (await Promise.all(alive().map(components))).every((c) => !c.upstream_lease.holding),
      3 * leaseMs + 10_000,
      'an outage of two leases, with nobody holding the upstream lease',
    )
    for (const r of alive()) {
      expect(r.alive).toBe(true)
      expect((await api(r.url, 'GET', '/healthz')).status).toBe(200)
      expect((await components(r)).bus.state).toBe('degraded')
    }
    expect(alive()).toHaveLength(3)

    const upMarks = all.map(({ client }) => client.messages.length)
    const restartedAt = Date.now()
    await redis.start()
    await Promise.all(
      all.map(async ({ client }, i) => {
        await receivedSince(client, upMarks[i], (m) => m.type === 'status' && m.data.upstream === 'ok', 20_000)
        await receivedSince(client, upMarks[i], (m) => m.type === 'trade', 20_000)
      }),
    )
    timings.redisRecoveryMs = Date.now() - restartedAt
    await holder()
    const marks = all.map(({ client }) => client.messages.length)
    await allReceiving(all, marks)
    await expectIdenticalStreams(all, marks, 2000, 2)
    expect(alive()).toHaveLength(3)
    expect(mostFeedConnections()).toBe(1)
  }, 90_000)
})
