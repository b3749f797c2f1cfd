/**
 * Adding a folder: every file is added as it would be alone (its own key and
 * link), then each directory becomes a node (format.ts) listing its entries,
 * sealed and stored like a file; the root node's link opens the folder.
 * Directories are added depth first; a directory's entries are sorted by
 * `foldName` and checked (names.ts) before anything of it is stored.
 * Memory: at most `largeConcurrency` files over one block being added (a few
 * blocks each) and `concurrency` in all (one-block files: a block or two each), the
 * names of the directories on the current path, and one page per open node.
 */
import type { BlockId } from '../block/id.js'
import { FolderInputError, ManifestError } from '../errors.js'
import { formatLink } from '../address/link.js'
import { addFile, DEFAULT_PUT_CONCURRENCY, type AddResult } from '../file/add.js'
import type { BlockSink } from '../file/put-queue.js'
import { DEFAULT_MEDIA_TYPE, validateMtime, validateType } from '../file/manifest-fields.js'
import { childSignals, linkedController } from '../file/abort.js'
import { Semaphore } from '../mesh/semaphore.js'
import { BLOCK_PLAINTEXT } from '../crypto/geometry.js'
import { encodeFolderHeader, encodePage, FOLDER_TYPE, MAX_PAGE_ENTRIES, type DirEntry, type FolderEntry } from './format.js'
import { compareText, foldName, NameOrder, validateEntryName } from './names.js'
import { MAX_FOLDER_DEPTH } from './read.js'

export interface FolderFileInput {
  kind: 'file'
  name: string
  /** Media type (default `application/octet-stream`). */
  type?: string
  /** Modification time in ms (default now). */
  mtime?: number
  /** Its size, if known: a file of at most one block needs no `largeConcurrency` slot. */
  size?: number
  /** The file's bytes, read once, when its turn comes. */
  read (): AsyncIterable<Uint8Array>
}

export interface FolderDirInput {
  kind: 'dir'
  name: string
  mtime?: number
  /** The directory's entries, in any order (sorted here). */
  entries (): Promise<Iterable<FolderInput>> | Iterable<FolderInput>
}

export type FolderInput = FolderFileInput | FolderDirInput

export interface AddFolderInit {
  /** Files added at once (default 16): small files are bound by round trips, so many at once pay. */
  concurrency?: number
  /**
   * Of those, files over one block (or of unknown size) at once (default 4):
   * each holds a few blocks sealed ahead and in flight.
   */
  largeConcurrency?: number
  /** Puts in flight per file (default `DEFAULT_PUT_CONCURRENCY`). */
  putConcurrency?: number
  signal?: AbortSignal
  /** Called once per file added, with its path from the folder's root. */
  onFile?: (path: readonly string[], added: AddResult) => void
  /**
   * How to add one file (default: `addFile` of `file.read()` into the sink).
   * The CLI passes one that keeps a resume journal per file.
   */
  addFile?: (file: FolderFileInput, path: readonly string[], sink: BlockSink, signal: AbortSignal) => Promise<AddResult>
}

export interface AddFolderResult {
  root: BlockId
  key: Uint8Array
  /** `<root>.<key>` of the folder. */
  link: string
  files: number
  /** Directories, the root included. */
  dirs: number
  /** Plaintext bytes of all files. */
  size: number
  /** Lowest durable copy count over all blocks, when the sink reports copies. */
  replicas?: number
}

/** Files added at once by default. */
export const DEFAULT_FOLDER_CONCURRENCY = 16
/** Files over one block added at once by default. */
export const DEFAULT_LARGE_CONCURRENCY = 4
/** Entries of one directory started ahead of the one being listed. */
const LOOKAHEAD = 32

interface Context {
  sink: BlockSink
  init: AddFolderInit
  signal: AbortSignal
  /** One signal per add in flight, all aborted by the one listener on `signal` (not one listener each). */
  child: () => { signal: AbortSignal, done: () => void }
  files: Semaphore
  large: Semaphore
  totals: { files: number, dirs: number, size: number, replicas: number | undefined }
}

/** Add `root` (a directory) as a folder; its name is the folder's. */
export async function addFolder (root: FolderDirInput, sink: BlockSink, init: AddFolderInit = {}): Promise<AddFolderResult> {
  const { controller, dispose } = linkedController(init.signal)
  const ctx: Context = {
    sink,
    init,
    signal: controller.signal,
    child: childSignals(controller.signal),
    files: new Semaphore(init.concurrency ?? DEFAULT_FOLDER_CONCURRENCY),
    large: new Semaphore(init.largeConcurrency ?? DEFAULT_LARGE_CONCURRENCY),
    totals: { files: 0, dirs: 0, size: 0, replicas: undefined }
  }
  try {
    const node = await addDir(root, [], ctx)
    const result: AddFolderResult = {
      root: node.root, key: node.key, link: formatLink(node.root, node.key), ...ctx.totals, replicas: ctx.totals.replicas
    }
    if (result.replicas === undefined) delete result.replicas
    return result
  } catch (error) {
    controller.abort(error) // stop the other adds in flight
    throw error
  } finally {
    dispose()
  }
}

function copies (ctx: Context, added: AddResult): void {
  if (added.replicas !== undefined) ctx.totals.replicas = Math.min(ctx.totals.replicas ?? Infinity, added.replicas)
}

async function addDir (dir: FolderDirInput, path: readonly string[], ctx: Context): Promise<DirEntry> {
  if (path.length >= MAX_FOLDER_DEPTH) throw new FolderInputError(`${where(path)}: deeper than ${MAX_FOLDER_DEPTH} levels`)
  const name = checkedName(dir.name, path)
  const children = await sortedEntries(dir, path)
  const entries = inOrder(children, LOOKAHEAD, child => child.kind === 'file', async child => child.kind === 'dir'
    ? await addDir(child, [...path, child.name], ctx)
    : await addOne(child, [...path, child.name], ctx))
  const child = ctx.child()
  let added: AddResult
  try {
    added = await addFile(nodeContent(entries), { name, type: FOLDER_TYPE, mtime: dir.mtime ?? Date.now() }, ctx.sink, {
      signal: child.signal, concurrency: ctx.init.putConcurrency ?? DEFAULT_PUT_CONCURRENCY
    })
  } finally {
    child.done()
  }
  copies(ctx, added)
  ctx.totals.dirs++
  return { name, kind: 'dir', mtime: dir.mtime ?? Date.now(), root: added.root, key: added.key }
}

async function addOne (file: FolderFileInput, path: readonly string[], ctx: Context): Promise<FolderEntry> {
  // Not tied to the signal (a listener per waiting file): an abort frees the slots soon anyway.
  const large = file.size === undefined || file.size > BLOCK_PLAINTEXT
  if (large) await ctx.large.acquire()
  await ctx.files.acquire()
  const child = ctx.child()
  try {
    const added = ctx.init.addFile !== undefined
      ? await ctx.init.addFile(file, path, ctx.sink, child.signal)
      : await addFile(file.read(), { name: file.name, type: file.type, mtime: file.mtime }, ctx.sink, {
        signal: child.signal, concurrency: ctx.init.putConcurrency ?? DEFAULT_PUT_CONCURRENCY
      })
    copies(ctx, added)
    ctx.totals.files++
    ctx.totals.size += added.size
    ctx.init.onFile?.(path, added)
    return {
      name: file.name,
      kind: 'file',
      size: added.size,
      mtime: validateMtime(file.mtime ?? Date.now()),
      type: validateType(file.type === undefined || file.type === '' ? DEFAULT_MEDIA_TYPE : file.type),
      root: added.root,
      key: added.key
    }
  } finally {
    child.done()
    ctx.files.release()
    if (large) ctx.large.release()
  }
}

/** A directory's entries sorted by `foldName`, every name checked, no two colliding. */
async function sortedEntries (dir: FolderDirInput, path: readonly string[]): Promise<FolderInput[]> {
  const entries = [...await dir.entries()]
  for (const entry of entries) checkedName(entry.name, [...path, String(entry.name)])
  const keyed = entries.map(entry => ({ entry, fold: foldName(entry.name) }))
  keyed.sort((a, b) => compareText(a.fold, b.fold) || compareText(a.entry.name, b.entry.name))
  const order = new NameOrder()
  try {
    for (const { entry } of keyed) order.next(entry.name)
  } catch (cause) {
    throw new FolderInputError(`${where(path)}: ${(cause as Error).message.replace(/^folder: /, '')}`, { cause })
  }
  return keyed.map(({ entry }) => entry)
}

function checkedName (name: unknown, path: readonly string[]): string {
  try {
    return validateEntryName(name)
  } catch (cause) {
    if (!(cause instanceof ManifestError)) throw cause
    throw new FolderInputError(`${where(path)}: ${cause.message.replace(/^(manifest name|folder entry name): /, 'name ')}`, { cause })
  }
}

function where (path: readonly string[]): string {
  return path.length === 0 ? 'folder' : JSON.stringify(path.join('/')).slice(0, 200)
}

/** A node's plaintext: the header, then pages of entries as they are added. */
async function * nodeContent (entries: AsyncIterable<FolderEntry>): AsyncGenerator<Uint8Array, void, undefined> {
  yield encodeFolderHeader()
  let page: FolderEntry[] = []
  for await (const entry of entries) {
    page.push(entry)
    if (page.length === MAX_PAGE_ENTRIES) {
      yield encodePage(page)
      page = []
    }
  }
  if (page.length > 0) yield encodePage(page)
}

/**
 * `run` over `items` with up to `ahead` started at once; results in order. An
 * item that may not start early (`early` false: a subdirectory) starts only
 * once everything before it is done, so the directories being added form one
 * path from the root: memory is a page and a window of files per level, not
 * every sibling's listing at once.
 */
async function * inOrder<T, R> (
  items: readonly T[], ahead: number, early: (item: T) => boolean, run: (item: T) => Promise<R>
): AsyncGenerator<R, void, undefined> {
  const started: Array<Promise<R>> = []
  let next = 0
  while (next < items.length || started.length > 0) {
    while (started.length < ahead && next < items.length && (started.length === 0 || early(items[next] as T))) {
      const pending = run(items[next++] as T)
      pending.catch(() => {}) // awaited below in turn; a failure aborts the folder's add
      started.push(pending)
    }
    yield await (started.shift() as Promise<R>)
  }
}
