/**
 * Runs the BUILT `cairn` CLI (dist/cli/main.js; `npm test` builds first) as
 * real processes on 127.0.0.1: hosts on port 0 with `--json`, each in its own
 * temp data dir, and one-shot client commands. Everything started is tracked
 * and torn down by `cleanup()` (call it in afterEach/afterAll); a process exit
 * hook kills whatever is left.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))

const live = new Set<ChildProcess>()
process.on('exit', () => { for (const child of live) child.kill('SIGKILL') })

function assertBuilt (): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does) before these tests`)
}

export interface Listening {
  event: 'listening'
  url: string
  port: number
  peerId: string
  /** True when serving https:// and wss://. */
  tls?: boolean
  /** Said on start: plain http beyond loopback, a certificate that will be refused. */
  warnings?: string[]
}

export interface HostProcess extends Listening {
  child: ChildProcess
  pid: number
  data: string
  /** `http://127.0.0.1:PORT` (`https://` with TLS). */
  origin: string
  /** Everything the host wrote to stderr so far. */
  stderr: () => string
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export interface CliResult {
  code: number | null
  stdout: Buffer
  stderr: string
}

function trackExit (child: ChildProcess): HostProcess['exited'] {
  live.add(child)
  return new Promise(resolve => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      resolve({ code, signal })
    })
  })
}

/**
 * Resolve with the stdout lines up to and including the first that `last` accepts (the
 * listening JSON, or the human output's `join URL:` line), or reject if the host dies or
 * times out first.
 */
async function readyLines (child: ChildProcess, last: (line: string) => boolean, stderr: () => string, timeout: number): Promise<string[]> {
  const lines = createInterface({ input: child.stdout! })
  const seen: string[] = []
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`host not listening after ${timeout} ms: ${stderr()}`)), timeout)
      lines.on('line', line => {
        seen.push(line)
        if (last(line)) { clearTimeout(timer); resolve(seen) }
      })
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`host exited with ${code} before listening: ${stderr()}`)) })
    })
  } finally {
    lines.close()
  }
}

/** The listening event, from the human output (`… <peerId> listening on <origin>`, `join URL: <url>`). */
function parseHumanReady (lines: string[]): Listening {
  const head = lines.map(l => /^cairn host (\S+) listening on (\S+)$/.exec(l)).find(m => m !== null)
  const url = lines.at(-1)!.slice('join URL: '.length)
  if (head == null) throw new Error(`no listening line in ${lines.join('\n')}`)
  return { event: 'listening', url, port: Number(new URL(head[2]!).port), peerId: head[1]! }
}

export class Cluster {
  readonly hosts: HostProcess[] = []
  private readonly dirs: string[] = []
  private readonly children = new Set<ChildProcess>()

  async tempDir (prefix = 'cairn-test-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    this.dirs.push(dir)
    return dir
  }

  /**
   * Start `cairn host --port 0 --json --data <fresh dir> ...args` and wait until it listens.
   * `human: true` leaves out `--json` (the host then logs peers coming and going on stderr).
   */
  async startHost (args: string[] = [], options: { data?: string, cwd?: string, timeout?: number, env?: NodeJS.ProcessEnv, human?: boolean } = {}): Promise<HostProcess> {
    assertBuilt()
    // data 'default': no --data flag, so the host uses ./.cairn under cwd.
    const useDefault = options.data === 'default'
    const data = useDefault ? join(options.cwd ?? process.cwd(), '.cairn') : options.data ?? join(await this.tempDir('cairn-host-'), 'data')
    const dataArgs = useDefault ? [] : ['--data', data]
    const human = options.human === true
    const child = spawn(process.execPath, [CLI, 'host', '--port', '0', ...(human ? [] : ['--json']), ...dataArgs, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.children.add(child)
    const exited = trackExit(child)
    let err = ''
    child.stderr!.setEncoding('utf8').on('data', (text: string) => { err += text })
    const lines = await readyLines(child, line => !human || line.startsWith('join URL: '), () => err, options.timeout ?? 30_000)
    const listening = human ? parseHumanReady(lines) : JSON.parse(lines[0]!) as Listening
    child.stdout!.resume()
    const host: HostProcess = {
      ...listening,
      child,
      pid: child.pid!,
      data,
      origin: new URL(listening.url).origin,
      stderr: () => err,
      exited
    }
    this.hosts.push(host)
    return host
  }

  /** Run a one-shot `cairn …` command to completion. */
  async cli (args: string[], options: { cwd?: string, timeout?: number, stdin?: Uint8Array, env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    assertBuilt()
    return await this.run(process.execPath, [CLI, ...args], options)
  }

  /** Run any command (e.g. `npm`) to completion; killed after `timeout` ms. */
  async run (command: string, args: string[], options: { cwd?: string, timeout?: number, stdin?: Uint8Array, env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    this.children.add(child)
    const exited = trackExit(child)
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

  async kill (host: HostProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    host.child.kill(signal)
    await host.exited
  }

  async cleanup (): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    await Promise.all([...this.children].map(async child => {
      if (child.exitCode === null && child.signalCode === null) await new Promise(resolve => child.once('exit', resolve))
    }))
    this.children.clear()
    this.hosts.length = 0
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  }
}

/** Poll `check` until it returns a value other than undefined, or fail after `timeout` ms. */
export async function waitFor<T> (what: string, check: () => Promise<T | undefined>, { timeout = 60_000, interval = 250 } = {}): Promise<T> {
  const deadline = Date.now() + timeout
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last })
    await new Promise(resolve => setTimeout(resolve, interval))
  }
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
