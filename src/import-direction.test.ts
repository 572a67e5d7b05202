/** The import graph of src/ points inward (scripts/check-imports.ts), and the check itself refuses each kind of wrong edge. */
import { describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkImports, layerOf, refusal, specifiersOf } from '../scripts/check-imports'

describe('import direction', () => {
  it('should hold for every file of src/', () => {
    expect(checkImports(import.meta.dir)).toEqual([])
  })

  it('should place each file in its layer', () => {
    expect(layerOf('core/bars.ts')).toBe('core')
    expect(layerOf('http/modules/auth/index.ts')).toBe('http')
    expect(layerOf('app.ts')).toBe('app')
    expect(layerOf('main.ts')).toBe('app')
    expect(layerOf('errors.ts')).toBe('errors')
    expect(layerOf('config.test.ts')).toBe('config')
    expect(layerOf('import-direction.test.ts')).toBe('app')
  })

  it('should refuse edges that point outward or between siblings, and allow inward ones', () => {
    const refused: [string, string][] = [
      ['core/bars.ts', 'ports/upstream.ts'],
      ['core/validate.ts', 'contract/protocol.ts'],
      ['ports/clock.ts', 'adapters/clock/system-clock.ts'],
      ['actors/symbol-hub.ts', 'adapters/log/logger.ts'],
      ['actors/connection-actor.ts', 'stream/fanout.ts'],
      ['adapters/redis/lease.ts', 'services/bars-service.ts'],
      ['services/bars-service.ts', 'actors/actor.ts'],
      ['services/options-service.ts', 'http/modules/options/model.ts'],
      ['stream/handshake.ts', 'http/auth-plugin.ts'],
      ['http/auth-plugin.ts', 'adapters/auth/token-verifier.ts'],
      ['jobs/prefetch-job.ts', 'http/server.ts'],
      ['http/modules/system/metrics.ts', 'config.ts'],
      ['client/wire.ts', 'services/snapshots-service.ts'],
      ['client/wire.ts', 'ports/upstream.ts'],
      ['terminal/page/main.ts', 'adapters/clock/system-clock.ts'],
      ['errors.ts', 'core/validate.ts'],
      ['newlayer/x.ts', 'core/bars.ts'],
    ]
    for (const [from, to] of refused)
      expect({ from, to, refused: refusal(from, to) !== null }).toEqual({ from, to, refused: true })
    const allowed: [string, string][] = [
      ['core/bars.ts', 'core/market-types.ts'],
      ['core/validate.ts', 'errors.ts'],
      ['contract/protocol.ts', 'core/validate.ts'],
      ['ports/upstream.ts', 'core/market-types.ts'],
      ['adapters/memory/memory-bus.ts', 'ports/bus.ts'],
      ['services/snapshots-service.ts', 'contract/rest.ts'],
      ['stream/stream-module.ts', 'actors/connection-actor.ts'],
      ['http/modules/system/metric-families.ts', 'stream/stream-module.ts'],
      ['app.ts', 'adapters/redis/redis-bus.ts'],
      ['app.ts', 'config.ts'],
      ['terminal/page/main.ts', 'client/market-client.ts'],
      ['client/wire.ts', 'contract/rest.ts'],
      ['actors/symbol-hub.test.ts', 'adapters/memory/simulated-clock.ts'],
    ]
    for (const [from, to] of allowed) expect({ from, to, rule: refusal(from, to) }).toEqual({ from, to, rule: null })
  })

  it('should read static, re-exported, type-only and dynamic imports, over several lines', () => {
    // Written with backquotes, so that the check of this very file does not read them as imports.
    const source = [
      'import { a } from `./a`',
      'import type { B } from `../b.ts`',
      'import {\n  c,\n  type D,\n} from `./c`',
      'export { e } from `./e`',
      'export type { F } from `./f`',
      'export * from `./g`',
      'import `./side-effect`',
      'const h: import(`./h`).H = await import(`./i`)',
      'import Redis, { type RedisOptions } from `ioredis`',
    ]
      .join('\n')
      .replaceAll('`', "'")
    expect(specifiersOf(source)).toEqual([
      './a',
      '../b.ts',
      './c',
      './e',
      './f',
      './g',
      './side-effect',
      'ioredis',
      './h',
      './i',
    ])
  })

  it('should report a wrong edge, an unresolved import and shipped code reaching into test/ in a tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'import-direction-'))
    try {
      const src = join(root, 'src')
      for (const dir of ['core', 'ports', 'adapters']) mkdirSync(join(src, dir), { recursive: true })
      mkdirSync(join(root, 'test'))
      writeFileSync(join(root, 'test', 'helper.ts'), 'export const x = 1\n')
      writeFileSync(join(src, 'ports', 'clock.ts'), 'export interface Clock {}\n')
      // Backquotes again, turned into quotes in the fixture only.
      const write = (path: string, text: string) => writeFileSync(join(src, path), text.replaceAll('`', "'"))
      write('core/time.ts', 'import type { Clock } from `../ports/clock`\nimport { y } from `./gone`\n')
      write('adapters/a.ts', 'import { x } from `../../test/helper`\n')
      write('adapters/a.test.ts', 'import { x } from `../../test/helper`\n')
      expect(checkImports(src)).toEqual([
        { from: 'adapters/a.ts', to: '../test/helper.ts', rule: 'shipped code imports test support' },
        { from: 'core/time.ts', to: './gone', rule: 'unresolved import' },
        { from: 'core/time.ts', to: 'ports/clock.ts', rule: 'core may import errors' },
      ])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
