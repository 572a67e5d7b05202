/** Import-direction check over src/: every relative import points inward (core ← ports ← adapters/actors/services ← stream/http/jobs ← app); exits 1 with the offending edges. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

/**
 * What each layer may import besides its own files, innermost first. A layer is a top folder of
 * src/ (or a top-level file's role). errors.ts imports nothing and everyone may import it; config.ts
 * is read by the composition root only. The browser side (client/, terminal/) sees core and
 * contract only, so nothing of the server is bundled into the page.
 */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  core: ['errors'],
  contract: ['core', 'errors'],
  ports: ['contract', 'core', 'errors'],
  // Level 2 siblings do not import each other.
  adapters: ['ports', 'contract', 'core', 'errors'],
  actors: ['ports', 'contract', 'core', 'errors'],
  services: ['ports', 'contract', 'core', 'errors'],
  stream: ['services', 'actors', 'ports', 'contract', 'core', 'errors'],
  // The system module's /metrics reads the stream's and the actors' counters; the stream never imports http.
  http: ['stream', 'services', 'actors', 'ports', 'contract', 'core', 'errors'],
  jobs: ['services', 'ports', 'contract', 'core', 'errors'],
  config: ['ports', 'contract', 'core', 'errors'],
  app: [
    'config',
    'terminal',
    'stream',
    'http',
    'jobs',
    'services',
    'actors',
    'adapters',
    'ports',
    'contract',
    'core',
    'errors',
  ],
  client: ['contract', 'core'],
  terminal: ['client', 'contract', 'core'],
}

/** Unit tests may also build their small world from adapters (memory doubles, the simulated market, real adapters under test) and read config. */
const TEST_EXTRA = ['adapters', 'config']
/** Single test files allowed one more edge, and why. */
const TEST_EXCEPTIONS: readonly [from: string, to: string, why: string][] = [
  ['actors/connection-actor.test.ts', 'stream/fanout.ts', 'drives connections through the real LocalFanout'],
]

/** The layer of a file under src/ (path relative to src, with '/'): its top folder, or the role of a top-level file. */
export function layerOf(file: string): string {
  const [top, ...rest] = file.split('/')
  if (rest.length > 0) return top!
  if (top === 'main.ts' || top === 'app.ts') return 'app'
  const stem = top!.replace(/(\.[\w-]+)?\.test\.ts$/, '')
  // A top-level test belongs to its subject's layer (config.test.ts), else it tests the whole (app).
  if (stem !== top) return stem === 'main' || !(stem in ALLOWED) ? 'app' : stem
  return top!.replace(/\.ts$/, '')
}

const IMPORT_FROM = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"]([^'"]+)['"]/g
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** The module specifiers a source text imports or re-exports, static or dynamic. */
export function specifiersOf(source: string): string[] {
  const found: string[] = []
  for (const pattern of [IMPORT_FROM, DYNAMIC_IMPORT]) for (const m of source.matchAll(pattern)) found.push(m[1]!)
  return found
}

function resolveRelative(fromFile: string, specifier: string): string | null {
  const base = resolve(dirname(fromFile), specifier)
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  return null
}

const isTest = (file: string) => file.endsWith('.test.ts')

/** Why `from` may not import `to` (both relative to src), or null when it may. */
export function refusal(from: string, to: string): string | null {
  const fromLayer = layerOf(from)
  const toLayer = layerOf(to)
  const allowed = ALLOWED[fromLayer]
  if (allowed === undefined) return `${fromLayer} is not a known layer`
  if (toLayer === fromLayer || allowed.includes(toLayer)) return null
  if (isTest(from)) {
    if (TEST_EXTRA.includes(toLayer)) return null
    if (TEST_EXCEPTIONS.some(([f, t]) => f === from && t === to)) return null
  }
  return `${fromLayer} may import ${allowed.join(', ') || 'nothing of the project'}`
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

export interface Violation {
  from: string
  to: string
  rule: string
}

/** Every import under `srcDir` that points the wrong way, cannot be resolved, or reaches into test/ from shipped code. */
export function checkImports(srcDir: string): Violation[] {
  const violations: Violation[] = []
  const rel = (p: string) => relative(srcDir, p).split(sep).join('/')
  for (const path of sourceFiles(srcDir)) {
    const from = rel(path)
    if (ALLOWED[layerOf(from)] === undefined)
      violations.push({ from, to: '-', rule: `${layerOf(from)} is not a known layer` })
    for (const specifier of specifiersOf(readFileSync(path, 'utf8'))) {
      if (!specifier.startsWith('.')) continue
      const target = resolveRelative(path, specifier)
      if (target === null) {
        violations.push({ from, to: specifier, rule: 'unresolved import' })
        continue
      }
      const to = rel(target)
      if (to.startsWith('../')) {
        // Outside src/: assets (node_modules, drizzle/) are fine; test support is for tests only.
        if (to.startsWith('../test/') && !isTest(from))
          violations.push({ from, to, rule: 'shipped code imports test support' })
        continue
      }
      const rule = refusal(from, to)
      if (rule !== null) violations.push({ from, to, rule })
    }
  }
  return violations.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to))
}

if (import.meta.main) {
  const violations = checkImports(resolve(import.meta.dir, '..', 'src'))
  if (violations.length === 0) {
    console.log('import direction: ok')
  } else {
    for (const v of violations) console.error(`src/${v.from} -> src/${v.to}  (${v.rule})`)
    console.error(
      `import direction: ${violations.length} import(s) point the wrong way (layers: scripts/check-imports.ts)`,
    )
    process.exit(1)
  }
}
