/**
 * The CLI itself: run by `main.ts`, from the one-file bundle of this module
 * and everything it imports (dist/cli/cairn.mjs) or from tsc's modules.
 */
import { flushStream } from './output.js'
import { run } from './program.js'

const code = await run(process.argv)
await flushStream(process.stdout)
await flushStream(process.stderr)
process.exit(code)
