// The child processes of a bench section: Node scripts started with the usage hook
// (hosts-rss.mjs) preloaded, so each one's peak RSS and CPU time can be read after it
// exits, and a live one's CPU time from /proc. Used by bench/hosts.mjs and the raw
// baselines it runs (raw-replicated-runs.mjs).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const USAGE_HOOK = fileURLToPath(new URL('./hosts-rss.mjs', import.meta.url))

/**
 * A set of child processes that record their usage to `${usageBase}.<pid>` at exit.
 * `flagsFor(args)` gives the Node flags for a script and its arguments.
 */
export function processGroup ({ usageBase, flagsFor = () => [] }) {
  const children = new Set()

  function start (args, { stdout = 'pipe' } = {}) {
    const child = spawn(process.execPath, [...flagsFor(args), '--import', USAGE_HOOK, ...args], {
      stdio: ['ignore', stdout, 'pipe'],
      env: { ...process.env, CAIRN_BENCH_RSS: usageBase }
    })
    children.add(child)
    child.stderrText = ''
    child.stderr.setEncoding('utf8').on('data', t => { child.stderrText += t })
    child.exited = new Promise(resolve => child.once('exit', (code, signal) => { children.delete(child); resolve({ code, signal }) }))
    return child
  }

  async function firstJsonLine (child) {
    const lines = createInterface({ input: child.stdout })
    const line = await Promise.race([
      once(lines, 'line').then(([l]) => l),
      child.exited.then(r => { throw new Error(`exited ${r.code} before printing: ${child.stderrText}`) })
    ])
    lines.close()
    child.stdout.resume()
    return JSON.parse(line)
  }

  /** Run a command to completion; resolves with its stdout, wall time in ms and pid. */
  async function run (args, options) {
    const started = performance.now()
    const child = start(args, options)
    let out = ''
    child.stdout?.setEncoding('utf8').on('data', t => { out += t })
    const { code } = await child.exited
    const ms = performance.now() - started
    if (code !== 0) throw new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${child.stderrText}`)
    return { out, ms, pid: child.pid }
  }

  /** What the preloaded hook recorded at the process's exit: { maxRss: bytes, cpuMs }. */
  async function usageOf (pid) {
    try {
      return JSON.parse(await readFile(`${usageBase}.${pid}`, 'utf8'))
    } catch {
      return { maxRss: NaN, cpuMs: NaN, systemMs: NaN }
    }
  }

  function killAll () {
    for (const child of children) child.kill('SIGKILL')
  }

  return { start, firstJsonLine, run, usageOf, killAll }
}

/** CPU time (user + system) a live process has used so far, in ms (Linux /proc, 100 Hz ticks). */
export async function procCpuMs (pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}
