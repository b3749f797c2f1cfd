/**
 * Hosts the Cluster harness does not start: a host whose data dir is a small
 * tmpfs in its own mount namespace (a disk that really fills up), launched by
 * the shared launcher (`../../support/host-process.ts`) through `unshare`;
 * plus /proc readings (RSS).
 */
import { readFile } from 'node:fs/promises'
import { launchHost, stopProcess, type HostProcess } from '../../support/host-process.js'

/** Hosts this module started, for `killAll`. */
const started = new Set<HostProcess>()

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
  const host = await launchHost({
    data: `${mount}/data`,
    args,
    wrap: argv => ({ command: 'unshare', args: [...ns, '--propagation', 'private', 'sh', '-c', script, 'sh', String(size), mount, ...argv] }),
    dataDir: pid => `/proc/${pid}/root${mount}/data`
  })
  started.add(host)
  void host.exited.then(() => started.delete(host))
  return host
}

/** SIGKILL every process this module started and wait for them to exit. */
export async function killAll (): Promise<void> {
  await Promise.all([...started].map(async host => { await stopProcess(host.child) }))
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
