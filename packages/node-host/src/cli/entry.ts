#!/usr/bin/env node
/** The `cairn` executable. */
import { flushStream } from './output.js'
import { run } from './program.js'

const code = await run(process.argv)
await flushStream(process.stdout)
await flushStream(process.stderr)
process.exit(code)
