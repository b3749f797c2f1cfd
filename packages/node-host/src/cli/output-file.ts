/**
 * Where `get` writes: stdout (respecting its backpressure), a device or pipe,
 * or (part-file.ts) a part file renamed only once complete, so a failed or
 * interrupted download never leaves a partial file under the final name. A
 * file named by the adder (`-o DIR`) never replaces an existing one unless asked.
 */
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { link, lstat, open, rename, rm, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { LocalFileError } from '../config/index.js'
import { systemErrorText } from './system-error.js'

export interface OutputSink {
  /**
   * Write `chunks` in order, as one system call where the target allows (a
   * batch, not one call per chunk). Resolves once they are written, not just
   * queued: the caller may then reuse their memory. Several calls may be in
   * flight: they complete in the order they were made, and once one fails,
   * every later one fails too (a stream's writes do both).
   */
  write (chunks: readonly Uint8Array[]): Promise<void>
  /** Finish; resolves with the final path (undefined for stdout). */
  commit (): Promise<string | undefined>
  /** Drop what was written. */
  abort (): Promise<void>
}

/** A safe local name for a file named `name` in a manifest (no directories, no dot-files). */
export function safeFileName (name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[\x00-\x1f]/g, '')
  return base === '' || base === '.' || base === '..' ? 'cairn-download' : base.replace(/^\.+/, '_')
}

export type OutputTarget =
  /** A new or regular file: written under a temp name, then renamed. */
  | { kind: 'file', path: string }
  /** An existing directory: the file goes in it under its own name. */
  | { kind: 'dir', path: string }
  /** A device or pipe (e.g. /dev/null): written in place. */
  | { kind: 'special', path: string }

/** Check `-o PATH` before any network work. */
export async function resolveOutputPath (path: string): Promise<OutputTarget> {
  const full = resolve(path)
  let info
  try {
    info = await stat(full)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new LocalFileError(`cannot write ${path}: ${systemErrorText(err)}`, { cause: err })
    const parent = await stat(dirname(full)).catch(() => undefined)
    if (parent?.isDirectory() !== true) throw new LocalFileError(`no such directory: ${dirname(path)}`)
    await assertCreatable(dirname(full), path)
    return { kind: 'file', path: full }
  }
  if (info.isDirectory()) {
    await assertCreatable(full, path)
    return { kind: 'dir', path: full }
  }
  if (!info.isFile()) return { kind: 'special', path: full }
  await assertCreatable(dirname(full), path)
  return { kind: 'file', path: full }
}

/** The download's part file goes in `dir`: check it takes new files at all, before any network work. */
async function assertCreatable (dir: string, path: string): Promise<void> {
  const probe = join(dir, `.cairn-probe-${randomBytes(4).toString('hex')}`)
  let handle
  try {
    handle = await open(probe, 'wx', 0o600)
  } catch (cause) {
    // The directory exists: ENOENT here means it takes no new files (/proc, /sys).
    const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? `cannot create files in ${dir}` : systemErrorText(cause)
    throw new LocalFileError(`cannot write ${path}: ${why}`, { cause })
  }
  await handle.close()
  await rm(probe, { force: true })
}

/** A device or pipe, written in place (nothing to clean up on failure). */
export async function specialSink (path: string): Promise<OutputSink> {
  const stream = createWriteStream(path, { flags: 'w' })
  // `once` rejects if 'error' comes first.
  await once(stream, 'open').catch((cause: unknown) => {
    throw new LocalFileError(`cannot write ${path}: ${systemErrorText(cause)}`, { cause })
  })
  return streamSink(stream, path)
}

function streamSink (out: Writable, name: string): OutputSink {
  let failure: Error | undefined
  const fail = (cause: Error): void => { failure ??= new LocalFileError(`cannot write to ${name}: ${systemErrorText(cause)}`, { cause }) }
  out.on('error', fail)
  const check = (): void => { if (failure !== undefined) throw failure }
  return {
    async write (chunks) {
      check()
      if (chunks.length === 0) return
      // Corked writes leave as one writev: a syscall per batch instead of per chunk.
      // The last one's callback runs once all are written (or failed: then `failure` is set).
      await new Promise<void>(resolve => {
        out.cork()
        chunks.forEach((chunk, i) => out.write(chunk, i < chunks.length - 1 ? undefined : (err) => {
          if (err != null) fail(err)
          resolve()
        }))
        out.uncork()
      })
      check()
    },
    async commit () {
      check()
      if (out !== process.stdout) await new Promise<void>(resolve => out.end(resolve))
      check()
      return out === process.stdout ? undefined : name
    },
    async abort () { if (out !== process.stdout) out.destroy() }
  }
}

export function stdoutSink (): OutputSink {
  return streamSink(process.stdout, 'stdout')
}

/** The refusal when a file is already at a path `get` would not replace. */
export function alreadyExists (path: string): LocalFileError {
  return new LocalFileError(`${path} already exists (--force overwrites it)`)
}

/** Move the finished `temp` to `path`, refusing to replace anything there (atomically, where hard links work). */
export async function placeNew (temp: string, path: string): Promise<void> {
  try {
    await link(temp, path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw alreadyExists(path)
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err
    // A file system without hard links: check, then rename (a narrow race remains).
    if (await lstat(path).then(() => true, () => false)) throw alreadyExists(path)
    await rename(temp, path)
    return
  }
  await unlink(temp)
}

