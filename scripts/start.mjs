#!/usr/bin/env node
/**
 * `npm start [-- FLAGS]`: build, then run `cairn host --port 4001 --data ./.cairn FLAGS`.
 * First, a host already running on the data dir is refused at once (exit 2): the
 * build would otherwise rewrite packages/web/dist under it before the host itself
 * refuses to start. This runs before the build, so it cannot use the CLI's own
 * check (packages/node-host/src/config/data-dir.ts, `readHostFile`): it reads
 * `<data>/host.json` the same way, a pid that is gone means no host.
 */
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(REPO, 'packages/node-host/dist/cli/main.js')
const DEFAULTS = ['--port', '4001', '--data', './.cairn']

/** The data dir the host will use: the last `--data` given wins, as in the CLI. */
function dataDir (args) {
  let dir = './.cairn'
  args.forEach((arg, i) => {
    if (arg === '--data' && args[i + 1] !== undefined) dir = args[i + 1]
    else if (arg.startsWith('--data=')) dir = arg.slice('--data='.length)
  })
  return resolve(dir)
}

/** `{pid, url}` of a live host on `dir`, else undefined. */
function runningHost (dir) {
  let host
  try {
    host = JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8'))
  } catch {
    return undefined
  }
  if (typeof host?.pid !== 'number' || typeof host.url !== 'string') return undefined
  try {
    process.kill(host.pid, 0)
  } catch (err) {
    if (err.code !== 'EPERM') return undefined
  }
  return host
}

const args = [...DEFAULTS, ...process.argv.slice(2)]
const dir = dataDir(args)
const host = runningHost(dir)
if (host !== undefined) {
  process.stderr.write(`cairn: a host (pid ${host.pid}) is already running with data dir ${dir} (${host.url.split('#')[0]}); ` +
    'stop it first, or pass another --data\n')
  process.exit(2)
}

const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

// Built now: run it with the flags `cairn` runs with (its bin's shebang carries them too).
const { NODE_FLAGS } = await import('@cairn/node-host')
const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'host', ...args], { stdio: 'inherit' })
// The host shuts down cleanly on the first SIGINT/SIGTERM and exits at once on a second. Ctrl-C
// reaches the whole foreground process group, the host included: passing SIGINT on too would
// be that second signal. SIGTERM is sent to this process alone (npm passes it on): pass it on.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => { child.kill('SIGTERM') })
child.on('exit', (code, signal) => { process.exit(code ?? (signal === null ? 1 : 130)) })
