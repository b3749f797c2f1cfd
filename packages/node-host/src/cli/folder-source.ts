/**
 * A local directory tree as core's `addFolder` takes it. Each directory is
 * listed when its turn comes (names and `lstat`s of that directory only).
 * Symbolic links are skipped (with a warning) unless `followSymlinks`; then a
 * link to a directory already on the path (a cycle) is skipped too. Devices,
 * sockets and pipes are skipped with a warning. Files carry their `stat` so
 * `put` can keep a resume journal per file.
 */
import { lstat, readdir, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { FolderDirInput, FolderFileInput, FolderInput } from '@cairn/core'
import { LocalFileError } from '../config/index.js'
import { mediaTypeOf } from '../http/index.js'
import { readFileChunks } from './file-source.js'
import { systemErrorText } from './system-error.js'
import type { Input } from './commands/put.js'

/** Bytes read from disk per chunk. */
const READ_CHUNK = 1024 * 1024

export interface LocalFile extends FolderFileInput {
  /** What `put`'s journal needs: path, size, mtime, device, inode. */
  input: Input
}

export interface TreeInit {
  followSymlinks: boolean
  /** Told about each entry skipped (a symlink not followed, a device, a cycle). */
  onSkip: (path: string, why: string) => void
  signal?: AbortSignal
}

function unreadable (path: string, cause: unknown): LocalFileError {
  const code = (cause as NodeJS.ErrnoException).code
  return new LocalFileError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${systemErrorText(cause)}`, { cause })
}

/** What `put` knows of a local file, from its `stat`. */
export function fileInput (path: string, info: Stats, name = basename(path)): Input {
  return { path, name, size: info.size, mtime: Math.floor(info.mtimeMs), dev: info.dev, ino: info.ino }
}

export function localFile (input: Input, signal?: AbortSignal): LocalFile {
  return {
    kind: 'file',
    name: input.name,
    type: mediaTypeOf(input.name),
    mtime: input.mtime,
    size: input.size,
    input,
    read: () => readFileChunks(input.path, signal === undefined ? { chunkSize: READ_CHUNK } : { chunkSize: READ_CHUNK, signal })
  }
}

/** The directory at `path` as a folder input, named `name` (default its base name). */
export function localDir (path: string, info: Stats, init: TreeInit, name = basename(resolve(path)), ancestors: readonly string[] = []): FolderDirInput {
  const here = [...ancestors, `${info.dev}:${info.ino}`]
  return {
    kind: 'dir',
    name,
    mtime: Math.floor(info.mtimeMs),
    entries: async () => {
      let names: string[]
      try {
        names = await readdir(path)
      } catch (cause) {
        throw unreadable(path, cause)
      }
      const entries: FolderInput[] = []
      for (const child of names) {
        const entry = await localEntry(join(path, child), init, child, here)
        if (entry !== undefined) entries.push(entry)
      }
      return entries
    }
  }
}

/** One entry of a tree: a file, a directory, or nothing (skipped, and said so). */
export async function localEntry (path: string, init: TreeInit, name: string, ancestors: readonly string[] = []): Promise<FolderInput | undefined> {
  let info: Stats
  try {
    info = await lstat(path)
    if (info.isSymbolicLink()) {
      if (!init.followSymlinks) {
        init.onSkip(path, 'a symbolic link (--follow-symlinks follows them)')
        return undefined
      }
      info = await stat(path)
    }
  } catch (cause) {
    if (init.followSymlinks && (cause as NodeJS.ErrnoException).code === 'ENOENT') {
      init.onSkip(path, 'a broken symbolic link')
      return undefined
    }
    throw unreadable(path, cause)
  }
  if (info.isFile()) return localFile(fileInput(path, info, name), init.signal)
  if (info.isDirectory()) {
    if (ancestors.includes(`${info.dev}:${info.ino}`)) {
      init.onSkip(path, 'a link to a directory that contains it (a cycle)')
      return undefined
    }
    return localDir(path, info, init, name, ancestors)
  }
  init.onSkip(path, 'not a regular file or directory')
  return undefined
}
