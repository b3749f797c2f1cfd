/**
 * Host processes outside the shared harness: a host whose data dir is a small
 * tmpfs in its own mount namespace (a disk that really fills up), plus
 * /proc readings (RSS) and stop/continue for silent partitions.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { CLI, type HostProcess, type Listening } from '../../harness.js'

const live = new Set<ChildProcess>()
process.on('exit', () => { for (const child of live) child.kill('SIGKILL') })

/** Resident memory of a process, in KiB (`VmRSS`), and its peak so far (`VmHWM`). */
export async function memoryOf (pid: number): Promise<{ rss: number, hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

/**
 * Start `cairn host --port 0 --json --data <mount>/data ...args` with `<mount>`
 * a fresh tmpfs of `size` bytes, private to the host's mount namespace
 * (`unshare -m`, or `-rm` when not root). The tmpfs goes away with the
 * process. From outside, its files are at `/proc/<pid>/root<mount>`; the
 * returned `data` is that path.
 */
export async function startTmpfsHost (mount: string, size: number, args: string[] = []): Promise<HostProcess> {
  const ns = process.getuid?.() === 0 ? ['-m'] : ['-rm']
  const script = 'mount -t tmpfs -o size="$1" cairn-test "$2" && shift 2 && exec "$@"'
  const child = spawn('unshare', [...ns, '--propagation', 'private', 'sh', '-c', script, 'sh', String(size), mount,
    process.execPath, CLI, 'host', '--port', '0', '--json', '--data', `${mount}/data`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => { live.delete(child); resolve({ code, signal }) })
  })
  let err = ''
  child.stderr!.setEncoding('utf8').on('data', (text: string) => { err += text })
  const line = await firstLine(child, () => err, 30_000)
  const listening = JSON.parse(line) as Listening
  child.stdout!.resume()
  return {
    ...listening,
    child,
    pid: child.pid!,
    data: `/proc/${child.pid!}/root${mount}/data`,
    origin: `http://127.0.0.1:${listening.port}`,
    stderr: () => err,
    exited
  }
}

async function firstLine (child: ChildProcess, stderr: () => string, timeout: number): Promise<string> {
  const lines = createInterface({ input: child.stdout! })
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`host not listening after ${timeout} ms: ${stderr()}`)) }, timeout)
      lines.once('line', line => { clearTimeout(timer); resolve(line) })
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`host exited with ${code} before listening: ${stderr()}`)) })
    })
  } finally {
    lines.close()
  }
}

/** SIGKILL every process this module started and wait for them to exit. */
export async function killAll (): Promise<void> {
  await Promise.all([...live].map(async child => {
    const gone = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
  }))
}

/** Resolve once `child` exited, or reject after `ms`. */
export async function exitWithin (host: HostProcess, ms: number): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      host.exited,
      new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`process ${host.pid} still running after ${ms} ms`)) }, ms) })
    ])
  } finally {
    clearTimeout(timer)
  }
}
