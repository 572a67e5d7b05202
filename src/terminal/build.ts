/** Builds the /terminal page with Bun.build: one browser bundle (client, views, lightweight-charts), its CSS, and the HTML shell naming both by content hash. */
import { join } from 'node:path'

export interface TerminalBundle {
  html: string
  js: string
  css: string
  /** URL paths the HTML refers to, e.g. /terminal/assets/terminal-3k2j1.js. */
  jsPath: string
  cssPath: string
}

const terminalAssetsPath = '/terminal/assets'
const pageDir = join(import.meta.dir, 'page')

/** Bundles the page from source. Needs the sources on disk: a compiled binary uses the embedded bundle instead. */
export async function buildTerminal(options: { minify?: boolean } = {}): Promise<TerminalBundle> {
  const result = await Bun.build({
    entrypoints: [join(pageDir, 'main.ts'), join(pageDir, 'styles.css')],
    target: 'browser',
    format: 'esm',
    minify: options.minify ?? true,
    conditions: ['production'],
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  if (!result.success) throw new Error(`terminal build failed:\n${result.logs.map(String).join('\n')}`)
  const js = await textOf(result.outputs, '.js')
  const css = await textOf(result.outputs, '.css')
  const jsPath = `${terminalAssetsPath}/terminal-${Bun.hash(js).toString(36)}.js`
  const cssPath = `${terminalAssetsPath}/terminal-${Bun.hash(css).toString(36)}.css`
  const template = await Bun.file(join(pageDir, 'index.html')).text()
  const html = template.replace('%JS%', jsPath).replace('%CSS%', cssPath)
  return { html, js, css, jsPath, cssPath }
}

async function textOf(outputs: Bun.BuildArtifact[], ext: string): Promise<string> {
  const out = outputs.find((o) => o.path.endsWith(ext))
  if (!out) throw new Error(`terminal build produced no ${ext} output`)
  return out.text()
}
