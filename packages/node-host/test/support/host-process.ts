/**
 * The one launcher of real `cairn host` processes for tests: node-host's
 * integration tests (`../harness.ts`), the reliability suite
 * (`../reliability/support/proc.ts`) and the e2e fixtures
 * (`e2e/support/fixtures.ts`) all start hosts here.
 *
 * A host is the BUILT CLI (`dist/cli/main.js`) run by this very `node`
 * with the NODE_FLAGS `cairn` runs with (never an npx or npm wrapper, so the PID
 * is the host's own), on port 0 with
 * `--json`; `launchHost` resolves once the host has printed its `listening`
 * line. `HostGroup` tracks what it started and, in `stop()`, kills each by PID
 * and removes its temp dirs, whatever the test did; an exit hook kills any host
 * still running when the test process ends.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '../../src/cli/node-flags.js'

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

const live = new Set<ChildProcess>()
process.on('exit', () => { for (const child of live) child.kill('SIGKILL') })

export function assertBuilt (path = CLI): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run 'npm run build' (npm test does) before these tests`)
}

/** The line `cairn host --json` prints once it listens. */
export interface Listening {
  event: 'listening'
  /** The join URL, `http://127.0.0.1:PORT/#join=TOKEN` (`https://` with TLS): for tabs and clients (member token). */
  url: string
  /** The peer URL, `http://127.0.0.1:PORT/#host=KEY`: for other hosts' `--peer` (host key). */
  peerUrl: string
  port: number
  peerId: string
  /** True when serving https:// and wss://. */
  tls?: boolean
  /** Said on start: plain http beyond loopback, a certificate that will be refused. */
  warnings?: string[]
}

export interface Exit { code: number | null, signal: NodeJS.Signals | null }

export interface HostProcess extends Listening {
  /** The listening line as the host printed it. */
  listening: Listening
  child: ChildProcess
  pid: number
  /** The host's data dir, as the test reads it. */
  dataDir: string
  /** Same as `dataDir` (the name the node-host tests use). */
  data: string
  /** The join token (from the URL's `#join=`), or '' for an `--open` host. */
  token: string
  /** `http://127.0.0.1:PORT` (`https://` with TLS). */
  origin: string
  /** Everything the host wrote to stderr so far. */
  stderr: () => string
  /** Resolves once the host's stderr contains `text`; rejects if the host exits first or after `timeout` ms. */
  waitForStderr: (text: string, timeout?: number) => Promise<void>
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<Exit>
}

export interface LaunchOptions {
  /** Arguments after `cairn host --port 0 --json --data DIR`. */
  args?: string[]
  /** The data dir; `'default'` passes no `--data` (the host then uses `./.cairn` under `cwd`). */
  data: string
  /** Where the test finds the data dir when that is not where the host sees it (a private mount). */
  dataDir?: (pid: number) => string
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** How long the host may take to say it listens, in ms (default 30 s). */
  timeout?: number
  /** Leave out `--json`: the host then prints its human banner (and logs peers on stderr). */
  human?: boolean
  /** Run the node command through a wrapper (e.g. `unshare`): given node's argv, returns the command to spawn. */
  wrap?: (argv: string[]) => { command: string, args: string[] }
}

/** Start a host and resolve once it listens; reject (with its stderr) if it exits or times out first. */
export async function launchHost (options: LaunchOptions): Promise<HostProcess> {
  assertBuilt()
  const useDefault = options.data === 'default'
  const human = options.human === true
  const argv = [...NODE_FLAGS, CLI, 'host', '--port', '0', ...(human ? [] : ['--json']), ...(useDefault ? [] : ['--data', options.data]), ...(options.args ?? [])]
  const { command, args } = options.wrap?.([process.execPath, ...argv]) ?? { command: process.execPath, args: argv }
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  const exited = new Promise<Exit>(resolve => {
    child.once('exit', (code, signal) => { live.delete(child); resolve({ code, signal }) })
  })
  const output = new Output(child, exited)
  try {
    const lines = await readyLines(child, line => !human || line.startsWith('join URL: '), () => output.text, options.timeout ?? 30_000)
    const listening = human ? parseHumanReady(lines) : JSON.parse(lines.at(-1)!) as Listening
    child.stdout!.resume()
    const dataDir = options.dataDir?.(child.pid!) ?? (useDefault ? join(options.cwd ?? process.cwd(), '.cairn') : options.data)
    const url = new URL(listening.url)
    return {
      ...listening,
      listening,
      child,
      pid: child.pid!,
      dataDir,
      data: dataDir,
      token: new URLSearchParams(url.hash.slice(1)).get('join') ?? '',
      origin: url.origin,
      stderr: () => output.text,
      waitForStderr: async (text, timeout) => { await output.waitFor(text, timeout) },
      exited
    }
  } catch (err) {
    await stopProcess(child)
    throw err
  }
}

/** A host's stderr, collected, with waiters woken as it grows. */
class Output {
  text = ''
  private readonly waiters = new Set<() => void>()

  constructor (child: ChildProcess, private readonly exited: Promise<Exit>) {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.text += chunk
      for (const wake of this.waiters) wake()
    })
  }

  async waitFor (text: string, timeout = 60_000): Promise<void> {
    if (this.text.includes(text)) return
    let wake = (): void => {}
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        wake = () => { if (this.text.includes(text)) resolve() }
        this.waiters.add(wake)
        timer = setTimeout(() => { reject(new Error(`no "${text}" on the host's stderr after ${timeout} ms:\n${this.text}`)) }, timeout)
        this.exited.then(exit => { if (!this.text.includes(text)) reject(new Error(`host exited (${exit.code ?? exit.signal}) without "${text}" on stderr:\n${this.text}`)) }, reject)
      })
    } finally {
      this.waiters.delete(wake)
      clearTimeout(timer)
    }
  }
}

/**
 * Resolve with the stdout lines up to and including the first that `last` accepts (the
 * listening JSON, or the human output's `join URL:` line), or reject if the host dies or
 * times out first.
 */
async function readyLines (child: ChildProcess, last: (line: string) => boolean, stderr: () => string, timeout: number): Promise<string[]> {
  const lines = createInterface({ input: child.stdout! })
  const seen: string[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await new Promise<string[]>((resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`host not listening after ${timeout} ms: ${stderr()}`)) }, timeout)
      lines.on('line', line => {
        seen.push(line)
        if (last(line)) resolve(seen)
      })
      child.once('exit', code => { reject(new Error(`host exited with ${code} before listening: ${stderr()}`)) })
      child.once('error', reject)
    })
  } finally {
    clearTimeout(timer)
    lines.close()
  }
}

/** The listening event, from the human output (`… <peerId> listening on <origin>`, `join URL: <url>`). */
function parseHumanReady (lines: string[]): Listening {
  const head = lines.map(l => /^cairn host (\S+) listening on (\S+)$/.exec(l)).find(m => m !== null)
  const url = lines.at(-1)!.slice('join URL: '.length)
  const peerUrl = lines.map(l => /^peer URL .*: (\S+)$/.exec(l)).find(m => m !== null)?.[1]
  if (head == null || peerUrl === undefined) throw new Error(`no listening or peer URL line in ${lines.join('\n')}`)
  return { event: 'listening', url, peerUrl, port: Number(new URL(head[2]!).port), peerId: head[1]! }
}

/**
 * Signal a process by its PID and wait until it has exited. With `graceMs`, SIGTERM first
 * and SIGKILL if it is still running after that long; else SIGKILL at once (or `signal`).
 */
export async function stopProcess (child: ChildProcess, options: { signal?: NodeJS.Signals, graceMs?: number } = {}): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const pid = child.pid
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  const kill = (signal: NodeJS.Signals): void => {
    try { process.kill(pid, signal) } catch { /* already gone: the exit event follows */ }
  }
  const graceful = options.graceMs !== undefined
  kill(options.signal ?? (graceful ? 'SIGTERM' : 'SIGKILL'))
  const timer = graceful ? setTimeout(() => { kill('SIGKILL') }, options.graceMs) : undefined
  await exited
  clearTimeout(timer)
}

/** Hosts and temp dirs of one test (or one file): `stop()` ends them all, even after a failure. */
export class HostGroup {
  readonly hosts: HostProcess[] = []
  private readonly dirs: string[] = []

  async tempDir (prefix = 'cairn-test-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    this.dirs.push(dir)
    return dir
  }

  /** `launchHost` with a fresh temp data dir unless `data` is given. */
  async start (options: Partial<LaunchOptions> = {}): Promise<HostProcess> {
    const data = options.data ?? join(await this.tempDir('cairn-host-'), 'data')
    const host = await launchHost({ ...options, data })
    this.hosts.push(host)
    return host
  }

  /** Kill every host by PID (SIGTERM first when `graceMs` is given), then remove the temp dirs. */
  async stop (options: { graceMs?: number } = {}): Promise<void> {
    const hosts = this.hosts.splice(0)
    try {
      await Promise.all(hosts.map(async host => { await stopProcess(host.child, options) }))
    } finally {
      await Promise.all(this.dirs.splice(0).map(async dir => { await rm(dir, { recursive: true, force: true }) }))
    }
  }
}
