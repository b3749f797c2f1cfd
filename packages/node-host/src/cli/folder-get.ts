/**
 * `cairn get` of a folder link (or of `LINK/path` naming a directory in one):
 * recreate the tree under `-o DIR` (default `./<folder name>`), each file
 * through its own part file as a single `get` does, so a second run resumes
 * every file where it stopped. Files already there with the entry's size and
 * mtime (a completed earlier run) are kept; any other existing file is a
 * refusal before anything is fetched (exit 7) unless `--force`. Entries are
 * streamed from the folder's nodes (one page per level held) and at most
 * `FILES_AT_ONCE` files and `BLOCKS_IN_FLIGHT` blocks are in flight, so memory does
 * not grow with the file count.
 */
import { lstat, mkdir } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import {
  childSignals, folderOf, formatLink, isFolder, ManifestError, openFile, resolveFolderPath, walkFolder,
  type BlockSource, type FileEntry, type OpenedFile, type OpenedFolder, type ParsedLink
} from '@cairn/core'
import { blockCount } from '@cairn/core/crypto'
import { LocalFileError } from '../config/index.js'
import type { MeshClient } from './client.js'
import { getToFile, type GetOptions } from './commands/get.js'
import { safeFileName, type OutputTarget } from './output-file.js'
import { printJson } from './output.js'
import { createProgress, progressEnabled, type Progress } from './progress.js'
import { retryStalls } from './stall-retry.js'
import { systemErrorText } from './system-error.js'

/** Files fetched at once, at most (small files are bound by round trips, so many at once pay). */
export const FILES_AT_ONCE = 16
/** Blocks fetched ahead per file. */
const READ_AHEAD = 8
/** Blocks in flight over all files at once: a file counts min(its blocks, READ_AHEAD + 1). */
export const BLOCKS_IN_FLIGHT = 32
/** Conflicts named in the refusal. */
const SHOWN_CONFLICTS = 3

export type GetTarget =
  | { kind: 'file', file: OpenedFile, key: Uint8Array }
  | { kind: 'folder', folder: OpenedFolder }

/** What a link names: a file, a folder, or (with a path) an entry of a folder. */
export async function folderTarget (
  opened: OpenedFile, link: ParsedLink, source: BlockSource, client: MeshClient, init: { signal: AbortSignal, timeout: number }
): Promise<GetTarget> {
  if (link.path === undefined) {
    return isFolder(opened) ? { kind: 'folder', folder: folderOf(opened, link.key) } : { kind: 'file', file: opened, key: link.key }
  }
  const path = link.path
  const folder = folderOf(opened, link.key)
  const retry = { client, signal: init.signal, timeout: init.timeout, progress: () => 0 }
  const entry = await retryStalls(async () => await resolveFolderPath(folder, path, source, { signal: init.signal }), retry)
  if (entry.kind === 'dir') return { kind: 'folder', folder: { name: entry.name, mtime: entry.mtime, root: entry.root, key: entry.key, link: formatLink(entry.root, entry.key) } }
  const file = await retryStalls(async () => await openFile(entry, source, { signal: init.signal }), retry)
  checkAgrees(file, entry)
  return { kind: 'file', file, key: entry.key }
}

/** A folder's entry and the file's own manifest must agree: neither is trusted over the other. */
function checkAgrees (file: OpenedFile, entry: FileEntry): void {
  if (file.size !== entry.size) throw new ManifestError(`folder: "${entry.name}" is listed as ${entry.size} bytes, its manifest says ${file.size}`)
}

/** The directory the tree goes in: `-o DIR` (created if missing), else `./<folder name>`. */
async function folderRoot (folder: OpenedFolder, out: OutputTarget | undefined): Promise<string> {
  if (out?.kind === 'special') throw new LocalFileError(`${out.path} is not a directory: a folder needs -o DIR`)
  const root = out === undefined ? resolve(safeFileName(folder.name)) : out.path
  const info = await lstat(root).catch(() => undefined)
  if (info !== undefined && !info.isDirectory()) throw new LocalFileError(`${root} exists and is not a directory`)
  await mkdir(root, { recursive: true }).catch((cause: unknown) => {
    throw new LocalFileError(`cannot create ${root}: ${systemErrorText(cause)}`, { cause })
  })
  return root
}

/** `root/…path`, refusing anything that would land outside `root` (the components are validated already: belt and braces). */
function localPath (root: string, path: readonly string[]): string {
  const full = join(root, ...path)
  const rel = relative(root, full)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new ManifestError(`folder: entry "${path.join('/')}" would leave the target directory`)
  return full
}

/** A file from an earlier run of this get: same size and modification time (set when it was completed). */
function alreadyFetched (info: Stats, entry: FileEntry): boolean {
  // Within a millisecond: set through utimes (seconds as a double), it may read back a hair below.
  return info.isFile() && info.size === entry.size && Math.abs(info.mtimeMs - entry.mtime) < 1
}

async function lstatOrNone (path: string): Promise<Stats | undefined> {
  return await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw new LocalFileError(`cannot read ${path}: ${systemErrorText(err)}`, { cause: err })
  })
}

interface Plan { files: number, dirs: number, size: number, fetched: number }

/** First pass: what is there already, what would be replaced (refused without --force), the totals for progress. */
async function plan (folder: OpenedFolder, root: string, source: BlockSource, force: boolean, signal: AbortSignal): Promise<Plan> {
  const totals: Plan = { files: 0, dirs: 1, size: 0, fetched: 0 } // the root counts, as in put
  const conflicts: string[] = []
  let conflicting = 0
  for await (const { path, entry } of walkFolder(folder, source, { signal })) {
    const full = localPath(root, path)
    const info = await lstatOrNone(full)
    if (entry.kind === 'dir') {
      totals.dirs++
      if (info !== undefined && !info.isDirectory()) throw new LocalFileError(`${full} exists and is not a directory`)
      continue
    }
    totals.files++
    totals.size += entry.size
    if (info === undefined) continue
    if (alreadyFetched(info, entry)) totals.fetched += entry.size
    else if (!info.isFile()) throw new LocalFileError(`${full} exists and is not a regular file`)
    else if (!force && conflicting++ < SHOWN_CONFLICTS) conflicts.push(full)
  }
  if (conflicting > 0) {
    const more = conflicting > conflicts.length ? ` and ${conflicting - conflicts.length} more` : ''
    throw new LocalFileError(`${conflicts.join(', ')}${more} already exist${conflicting === 1 ? 's' : ''} (--force overwrites)`)
  }
  return totals
}

/**
 * Runs tasks with at most `limit` at once and their weights summing to at most
 * `capacity` (a task heavier than that runs alone); the first failure aborts
 * the rest and is rethrown.
 */
class Pool {
  readonly #running = new Set<Promise<void>>()
  #weight = 0
  #failure: { error: unknown } | undefined
  constructor (readonly limit: number, readonly capacity: number, readonly controller: AbortController) {}

  async run (weight: number, task: () => Promise<void>): Promise<void> {
    while (this.#running.size > 0 && (this.#running.size >= this.limit || this.#weight + weight > this.capacity)) {
      await Promise.race(this.#running)
    }
    this.#check()
    this.#weight += weight
    const running: Promise<void> = task().catch((error: unknown) => {
      this.#failure ??= { error }
      this.controller.abort(error)
    }).finally(() => {
      this.#weight -= weight
      this.#running.delete(running)
    })
    this.#running.add(running)
  }

  async drain (): Promise<void> {
    await Promise.all(this.#running)
    this.#check()
  }

  #check (): void {
    if (this.#failure !== undefined) throw this.#failure.error
  }
}

export async function getFolder (
  client: MeshClient, folder: OpenedFolder, out: OutputTarget | undefined, options: GetOptions, init: { signal: AbortSignal, timeout: number }
): Promise<void> {
  const root = await folderRoot(folder, out)
  const source = client.mesh.blockSource()
  const force = options.force === true
  const retry = { client, signal: init.signal, timeout: init.timeout }
  const totals = await retryStalls(async () => await plan(folder, root, source, force, init.signal), { ...retry, progress: () => 0 })
  const progress = createProgress(safeFileName(folder.name), totals.size, progressEnabled(options.json))
  let done = totals.fetched
  let resumedBytes = totals.fetched
  progress.update(done)
  const controller = new AbortController()
  const signal = AbortSignal.any([init.signal, controller.signal])
  // Each file gets its own signal: what its fetches derive from it goes with it.
  const fileSignal = childSignals(signal)
  const pool = new Pool(FILES_AT_ONCE, BLOCKS_IN_FLIGHT, controller)
  try {
    const walk = async (): Promise<void> => {
      for await (const { path, entry } of walkFolder(folder, source, { signal })) {
        const full = localPath(root, path)
        if (entry.kind === 'dir') {
          await mkdir(full).catch(async (cause: NodeJS.ErrnoException) => {
            if (cause.code !== 'EEXIST' || (await lstat(full)).isDirectory() !== true) {
              throw new LocalFileError(`cannot create ${full}: ${systemErrorText(cause)}`, { cause })
            }
          })
          continue
        }
        const info = await lstatOrNone(full)
        if (info !== undefined && alreadyFetched(info, entry)) continue
        const getEntry = async (signal: AbortSignal): Promise<void> => {
          const fileProgress = share(progress, () => done, n => { done = n })
          const file = await retryStalls(async () => await openFile(entry, source, { signal }), { ...retry, signal, progress: () => done })
          checkAgrees(file, entry)
          const saved = await getToFile(file, full, force, options.resume !== false, {
            client, signal, timeout: init.timeout, progress: fileProgress, readAhead: READ_AHEAD
          }, entry.mtime)
          resumedBytes += saved.resumedBytes
        }
        await pool.run(Math.min(blockCount(entry.size), READ_AHEAD + 1), async () => {
          const child = fileSignal()
          try {
            await getEntry(child.signal)
          } finally {
            child.done()
          }
        })
      }
    }
    // The walk's own failure (a bad node, a local error) also stops the files in flight.
    await walk().catch((error: unknown) => { controller.abort(error); throw error })
    await pool.drain()
    progress.stop()
    if (options.json === true) {
      printJson({ path: root, name: folder.name, files: totals.files, dirs: totals.dirs, size: totals.size, root: folder.root.toString(), resumedBytes })
    }
  } finally {
    await pool.drain().catch(() => {})
    progress.stop()
  }
}

/** A per-file view of the folder's progress bar: each file reports its own bytes done, the bar shows the sum. */
function share (bar: Progress, get: () => number, set: (n: number) => void): Progress {
  let mine = 0
  return {
    update (n) {
      set(get() + n - mine)
      mine = n
      bar.update(get())
    },
    setTotal () {},
    stop () {}
  }
}
