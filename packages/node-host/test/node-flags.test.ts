/**
 * The V8 flags the `cairn` command needs (NODE_FLAGS: a heap floor that keeps
 * transfers from running a mark-compact every few MiB) reach the process when
 * a user runs the command as npm links it: bin/cairn.js executed through its
 * shebang.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { NODE_FLAGS } from '../src/cli/node-flags.js'
import { CLI, launchHost, stopProcess, type HostProcess } from './support/host-process.js'

const BIN = fileURLToPath(new URL('../bin/cairn.js', import.meta.url))

let host: HostProcess | undefined
let dir: string | undefined
afterEach(async () => {
  if (host !== undefined) await stopProcess(host.child)
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  host = dir = undefined
})

describe('node flags of the cairn command', () => {
  it('this node accepts every flag', () => {
    const run = spawnSync(process.execPath, [...NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout).slice(0, NODE_FLAGS.length)).toEqual(NODE_FLAGS)
  })

  it("bin/cairn.js's shebang carries them", () => {
    const shebang = readFileSync(BIN, 'utf8').split('\n')[0]
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`)
  })

  it('a host started as bin/cairn.js runs with them', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-node-flags-'))
    // argv is [node, ...flags, dist/cli/main.js, 'host', ...]: run the bin itself, as `cairn host ...`.
    host = await launchHost({ data: dir, wrap: argv => ({ command: BIN, args: argv.slice(argv.indexOf(CLI) + 1) }) })
    const cmdline = (await readFile(`/proc/${host.pid}/cmdline`, 'utf8')).split('\0')
    expect(cmdline.slice(1, 1 + NODE_FLAGS.length + 1)).toEqual([...NODE_FLAGS, BIN])
  })
})
