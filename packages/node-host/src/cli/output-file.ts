/**
 * Where `get` writes: stdout (respecting its backpressure), or a file written
 * under a temporary name in the target directory and renamed only once
 * complete, so a failed or interrupted download leaves nothing behind. A file
 * named by the adder (`-o DIR`) never replaces an existing one unless asked.
 */
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { link, lstat, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { LocalFileError } from '../config/index.js'

export interface OutputSink {
  /** Write `chunks` in order, as one system call where the target allows (a batch, not one call per chunk). */
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
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new LocalFileError(`cannot write ${path}`, { cause: err })
    const parent = await stat(dirname(full)).catch(() => undefined)
    if (parent?.isDirectory() !== true) throw new LocalFileError(`no such directory: ${dirname(path)}`)
    return { kind: 'file', path: full }
  }
  if (info.isDirectory()) return { kind: 'dir', path: full }
  return { kind: info.isFile() ? 'file' : 'special', path: full }
}

/** A device or pipe, written in place (nothing to clean up on failure). */
export async function specialSink (path: string): Promise<OutputSink> {
  const stream = createWriteStream(path, { flags: 'w' })
  // `once` rejects if 'error' comes first.
  await once(stream, 'open').catch((cause: unknown) => {
    throw new LocalFileError(`cannot write ${path}`, { cause })
  })
  return streamSink(stream, path)
}

/** Resolves on 'drain', or on 'error'/'close' (the caller checks for failure). */
async function drained (out: NodeJS.WritableStream): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      out.off('drain', done)
      out.off('error', done)
      out.off('close', done)
      resolve()
    }
    out.on('drain', done)
    out.on('error', done)
    out.on('close', done)
  })
}

function streamSink (out: Writable, name: string): OutputSink {
  let failure: Error | undefined
  out.on('error', (cause: Error) => { failure = new LocalFileError(`cannot write to ${name}`, { cause }) })
  const check = (): void => { if (failure !== undefined) throw failure }
  return {
    async write (chunks) {
      check()
      // Corked writes leave as one writev: a syscall per batch instead of per chunk.
      out.cork()
      let full = false
      for (const chunk of chunks) full = !out.write(chunk) || full
      out.uncork()
      if (full) await drained(out)
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

/** `chunks` to `handle` with writev, finishing any short write chunk by chunk. */
async function writeAll (handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  let done = (await handle.writev(chunks as Uint8Array[])).bytesWritten
  if (done === total) return
  for (const chunk of chunks) {
    if (done >= chunk.length) {
      done -= chunk.length
      continue
    }
    for (let offset = done; offset < chunk.length;) offset += (await handle.write(chunk, offset)).bytesWritten
    done = 0
  }
}

export interface FileSinkOptions {
  /** Replace a file already at `path` (default: refuse with `LocalFileError`). */
  overwrite?: boolean
}

function exists (path: string): LocalFileError {
  return new LocalFileError(`${path} already exists (--force overwrites it)`)
}

/** Move the finished `temp` to `path`, refusing to replace anything there (atomically, where hard links work). */
async function placeNew (temp: string, path: string): Promise<void> {
  try {
    await link(temp, path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw exists(path)
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err
    // A file system without hard links: check, then rename (a narrow race remains).
    if (await lstat(path).then(() => true, () => false)) throw exists(path)
    await rename(temp, path)
    return
  }
  await unlink(temp)
}

export async function fileSink (path: string, options: FileSinkOptions = {}): Promise<OutputSink> {
  const overwrite = options.overwrite === true
  // Checked up front too, so a refused download does not transfer the whole file first.
  if (!overwrite && await lstat(path).then(() => true, () => false)) throw exists(path)
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.cairn-part`)
  let handle: FileHandle
  try {
    handle = await open(temp, 'wx', 0o644)
  } catch (cause) {
    throw new LocalFileError(`cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause })
  }
  const fail = (cause: unknown): LocalFileError =>
    new LocalFileError(`cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause })
  return {
    async write (chunks) {
      try {
        await writeAll(handle, chunks)
      } catch (cause) {
        throw fail(cause)
      }
    },
    async commit () {
      try {
        await handle.sync()
        await handle.close()
        if (overwrite) await rename(temp, path)
        else await placeNew(temp, path)
      } catch (cause) {
        await rm(temp, { force: true })
        throw cause instanceof LocalFileError ? cause : fail(cause)
      }
      return path
    },
    async abort () {
      await handle.close().catch(() => {})
      await rm(temp, { force: true })
    }
  }
}
