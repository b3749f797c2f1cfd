/**
 * Runs the BUILT `cairn` CLI (dist/cli/main.js; `npm test` builds first) as
 * real processes on 127.0.0.1: hosts on port 0 with `--json` (started by the
 * shared launcher, `support/host-process.ts`), each in its own temp data dir,
 * and one-shot client commands. Everything started is tracked and torn down by
 * `cleanup()` (call it in afterEach/afterAll); a process exit hook kills
 * whatever is left.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { NODE_FLAGS } from '../src/cli/node-flags.js'
import { STATE_RECORD_BYTES } from '../src/cli/part-file.js'
import { assertBuilt, CLI, HostGroup, stopProcess, type Exit, type HostProcess } from './support/host-process.js'

export { CLI, type HostProcess, type Listening } from './support/host-process.js'
export { waitFor } from './support/wait.js'

export interface CliResult {
  code: number | null
  stdout: Buffer
  stderr: string
}

const live = new Set<ChildProcess>()
process.on('exit', () => { for (const child of live) child.kill('SIGKILL') })

export class Cluster {
  private readonly group = new HostGroup()
  private readonly children = new Set<ChildProcess>()
  /** The CLI's state dir for this cluster's commands (made at the first). */
  private stateDir: Promise<string> | undefined

  /** Hosts started and not yet cleaned up. */
  get hosts (): HostProcess[] {
    return this.group.hosts
  }

  async tempDir (prefix = 'cairn-test-'): Promise<string> {
    return await this.group.tempDir(prefix)
  }

  /**
   * Start `cairn host --port 0 --json --data <fresh dir> ...args` and wait until it listens.
   * `data: 'default'` passes no --data (the host uses ./.cairn under cwd).
   * `human: true` leaves out `--json` (the host then logs peers coming and going on stderr).
   */
  async startHost (args: string[] = [], options: { data?: string, cwd?: string, timeout?: number, env?: NodeJS.ProcessEnv, human?: boolean } = {}): Promise<HostProcess> {
    return await this.group.start({ ...options, args })
  }

  /** Run a one-shot `cairn …` command to completion. */
  async cli (args: string[], options: { cwd?: string, timeout?: number, stdin?: Uint8Array, env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    assertBuilt()
    // The CLI's state (put journals, the history of added files) stays in the test's temp dirs, never the user's home.
    const state = process.env.CAIRN_STATE_DIR === undefined ? { CAIRN_STATE_DIR: await (this.stateDir ??= this.tempDir('cairn-state-')) } : {}
    return await this.run(process.execPath, [...NODE_FLAGS, CLI, ...args], { ...options, env: { ...state, ...options.env } })
  }

  /** Run any command (e.g. `npm`) to completion; killed after `timeout` ms. */
  async run (command: string, args: string[], options: { cwd?: string, timeout?: number, stdin?: Uint8Array, env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    this.children.add(child)
    live.add(child)
    const exited = new Promise<Exit>(resolve => {
      child.once('exit', (code, signal) => { live.delete(child); resolve({ code, signal }) })
    })
    child.stdin!.end(options.stdin)
    const out: Buffer[] = []
    let err = ''
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr!.setEncoding('utf8').on('data', (text: string) => { err += text })
    const timeout = options.timeout ?? 120_000
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout)
    const { code, signal } = await exited
    clearTimeout(timer)
    if (signal === 'SIGKILL') err += `\n[killed after ${timeout} ms]`
    return { code, stdout: Buffer.concat(out), stderr: err }
  }

  /** `cairn … --json` expected to succeed; parses every stdout line. */
  async json<T = Record<string, unknown>> (args: string[], options: { cwd?: string, timeout?: number, env?: NodeJS.ProcessEnv } = {}): Promise<T[]> {
    const result = await this.cli([...args, '--json'], options)
    if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
    return result.stdout.toString('utf8').trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l) as T)
  }

  /** Signal a host by its PID (SIGKILL unless told) and wait until it has exited. */
  async kill (host: HostProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await stopProcess(host.child, { signal })
  }

  /** Kill every host and command still running, by PID, and remove the temp dirs. */
  async cleanup (): Promise<void> {
    try {
      await Promise.all([...this.children].map(async child => { await stopProcess(child) }))
    } finally {
      this.children.clear()
      this.stateDir = undefined
      await this.group.stop()
    }
  }
}

/**
 * One fresh state dir (put journals, the history of added files) for every CLI
 * process this test file starts, through `Cluster` or spawned directly (they
 * inherit `CAIRN_STATE_DIR`); removed after the file's tests.
 */
export function useTempStateDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-state-'))
  const saved = process.env.CAIRN_STATE_DIR
  process.env.CAIRN_STATE_DIR = dir
  afterAll(() => {
    if (saved === undefined) delete process.env.CAIRN_STATE_DIR
    else process.env.CAIRN_STATE_DIR = saved
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** Blocks recorded as written in a get's part state file (0 if none yet): a JSON header line, then one record per block. */
export async function recordedBlocks (dir: string): Promise<number> {
  const state = readdirSync(dir).find(n => n.endsWith('.cairn-part.state'))
  if (state === undefined) return 0
  const bytes = await readFile(join(dir, state)).catch(() => undefined)
  if (bytes === undefined) return 0
  return Math.floor((bytes.length - bytes.indexOf(0x0a) - 1) / STATE_RECORD_BYTES)
}

/** Write `size` pseudo-random bytes to `path`; resolves with their sha256 (hex). */
export async function randomFile (path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const handle = await open(path, 'w')
  try {
    for (let done = 0; done < size;) {
      const chunk = randomBytes(Math.min(4 * 1024 * 1024, size - done))
      hash.update(chunk)
      await handle.write(chunk)
      done += chunk.length
    }
  } finally {
    await handle.close()
  }
  return hash.digest('hex')
}

export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** A TCP port that nothing listens on (bound, then released). */
export async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}
