/** Prints the built /terminal page as JSON on stdout; the embedding macro runs it in a child process (Bun.build cannot run inside a macro). */
import { buildTerminal } from './build'

process.stdout.write(JSON.stringify(await buildTerminal()))
