/**
 * One `get` at a time per output path. Before it touches a part file, `get`
 * creates `.<name>.cairn-lock` next to PATH exclusively (O_EXCL), holding its
 * pid and host name, and removes it when it stops (done, failed or
 * interrupted). A second `get` to the same PATH meanwhile refuses with
 * `OutputBusyError` (exit 9) and changes nothing.
 *
 * A get that died without cleaning up (SIGKILL, a crash, power loss) leaves
 * its lock behind: a lock whose process no longer runs on this machine is
 * taken over, so running the same command again resumes as before. A lock
 * from another machine (a shared file system) is never taken over; the
 * message names the file to remove.
 */
import { hostname } from 'node:os'
import { open, readFile, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { LocalFileError, OutputBusyError } from '../config/index.js'
import { systemErrorText } from './system-error.js'

/** A lock file with no owner yet may be one just created: taken as held for this long, ms. */
const UNWRITTEN_GRACE = 10_000

interface Owner { pid: number, host: string }

export interface OutputLock {
  readonly path: string
  /** Remove the lock (once; later calls do nothing). */
  release (): Promise<void>
}

export function outputLockPath (path: string): string {
  return join(dirname(path), `.${basename(path)}.cairn-lock`)
}

/** Take the lock on output `path`; throws `OutputBusyError` if another live get holds it. */
export async function lockOutput (path: string): Promise<OutputLock> {
  const lock = outputLockPath(path)
  const me: Owner = { pid: process.pid, host: hostname() }
  // A second round only after removing a dead get's lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600)
      try {
        await handle.writeFile(`${JSON.stringify(me)}\n`)
      } finally {
        await handle.close()
      }
      let released = false
      return {
        path: lock,
        async release () {
          if (released) return
          released = true
          await rm(lock, { force: true })
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LocalFileError(`cannot write ${path}: ${systemErrorText(err)}`, { cause: err })
      }
    }
    const owner = await readOwner(lock)
    if (owner === 'gone') continue
    if (owner === undefined ? await isFresh(lock) : isLive(owner)) throw busy(path, lock, owner)
    // Its get is gone: take over (what it wrote is checked block by block on resume).
    await rm(lock, { force: true })
  }
  throw busy(path, lock, undefined)
}

function busy (path: string, lock: string, owner: Owner | undefined | 'gone'): OutputBusyError {
  const who = typeof owner === 'object' ? `process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}` : 'a process starting'
  return new OutputBusyError(`${path} is being written by another cairn get (${who}); wait for it, or remove ${lock} if no get is running`)
}

async function readOwner (lock: string): Promise<Owner | undefined | 'gone'> {
  let text: string
  try {
    text = await readFile(lock, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone'
    throw new LocalFileError(`cannot read ${lock}: ${systemErrorText(err)}`, { cause: err })
  }
  try {
    const value = JSON.parse(text) as Partial<Owner>
    if (Number.isSafeInteger(value.pid) && (value.pid as number) > 0 && typeof value.host === 'string') return { pid: value.pid as number, host: value.host }
  } catch {}
  return undefined
}

/** A lock without a readable owner: held while young (its get may be writing it), else left by a crash. */
async function isFresh (lock: string): Promise<boolean> {
  const info = await stat(lock).catch(() => undefined)
  return info !== undefined && Date.now() - info.mtimeMs < UNWRITTEN_GRACE
}

/** The owner still runs (on another machine: cannot tell, so yes). */
function isLive (owner: Owner): boolean {
  if (owner.host !== hostname()) return true
  if (owner.pid === process.pid) return true
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}
