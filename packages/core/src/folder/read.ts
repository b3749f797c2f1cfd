/**
 * Opening a folder: its root node, the entries of any directory in it (one
 * page in memory at a time), a path resolved node by node, and a depth-first
 * walk of the whole tree. Every node is fetched, verified and decrypted like
 * any file; every entry is validated (format.ts, names.ts) before it is used.
 */
import type { BlockId } from '../block/id.js'
import type { BlockSource, GetBlock } from '../block/source.js'
import { ManifestError, NoSuchEntryError, NotAFolderError } from '../errors.js'
import { formatLink } from '../address/link.js'
import { openFile, type OpenedFile } from '../file/read.js'
import { decodeFolderHeader, decodePage, FOLDER_TYPE, type DirEntry, type FileEntry, type FolderEntry } from './format.js'
import { splitItems } from './items.js'
import { NameOrder, shown, validateEntryName } from './names.js'

/** Directories deep a folder may be (a node never contains itself, but nodes may be shared: this bounds a walk). */
export const MAX_FOLDER_DEPTH = 64
/** UTF-8 bytes of a relative path in a folder, at most. */
export const MAX_PATH_BYTES = 4096

export interface OpenedFolder {
  /** The root node's name (the folder's). */
  name: string
  mtime: number
  root: BlockId
  key: Uint8Array
  /** `<root>.<key>` of the folder. */
  link: string
}

export interface WalkedEntry {
  /** Path components from the folder's root, the entry's name last. */
  path: string[]
  entry: FolderEntry
}

export interface FolderReadInit {
  signal?: AbortSignal
}

/** Whether an opened file is a folder node (only a hint: its content is still checked). */
export function isFolder (file: Pick<OpenedFile, 'type'>): boolean {
  return file.type === FOLDER_TYPE
}

/** The folder an opened file is; `NotAFolderError` when it is a plain file. */
export function folderOf (file: OpenedFile, key: Uint8Array): OpenedFolder {
  if (!isFolder(file)) throw new NotAFolderError(`"${shown(file.name)}" is a file, not a folder`)
  return { name: validateEntryName(file.name), mtime: file.mtime, root: file.root, key, link: formatLink(file.root, key) }
}

/** Open the folder at `link` (a folder node's root and key). */
export async function openFolder (
  link: { root: BlockId, key: Uint8Array }, source: BlockSource | GetBlock, init: FolderReadInit = {}
): Promise<OpenedFolder> {
  return folderOf(await openFile(link, source, init), link.key)
}

/** The entries of the directory node `dir`, in order, validated; one page is held at a time. */
export async function * listFolder (
  dir: { root: BlockId, key: Uint8Array }, source: BlockSource | GetBlock, init: FolderReadInit = {}
): AsyncGenerator<FolderEntry, void, undefined> {
  const node = await openFile(dir, source, init)
  if (!isFolder(node)) throw new ManifestError('folder: an entry of kind "dir" is not a folder node')
  const order = new NameOrder()
  let header = true
  for await (const item of splitItems(node.read(init.signal === undefined ? {} : { signal: init.signal }))) {
    if (header) {
      decodeFolderHeader(item)
      header = false
      continue
    }
    for (const entry of decodePage(item)) {
      order.next(entry.name)
      yield entry
    }
  }
  if (header) throw new ManifestError('folder: node has no header')
}

/**
 * The entry at `path` (components, as `parseLink` returns them) under `folder`,
 * reading only the nodes on the way; `NoSuchEntryError` if there is none.
 */
export async function resolveFolderPath (
  folder: OpenedFolder, path: readonly string[], source: BlockSource | GetBlock, init: FolderReadInit = {}
): Promise<FolderEntry> {
  if (path.length === 0) throw new NoSuchEntryError('folder: empty path')
  if (path.length > MAX_FOLDER_DEPTH) throw new NoSuchEntryError('folder: path too deep')
  let dir: { root: BlockId, key: Uint8Array } = folder
  for (let i = 0; i < path.length; i++) {
    const name = path[i] as string
    let found: FolderEntry | undefined
    for await (const entry of listFolder(dir, source, init)) {
      if (entry.name === name) {
        found = entry
        break
      }
    }
    if (found === undefined) throw new NoSuchEntryError(`folder: no "${shown(path.slice(0, i + 1).join('/'))}" in ${shown(folder.name)}`)
    if (i === path.length - 1) return found
    if (found.kind !== 'dir') throw new NoSuchEntryError(`folder: "${shown(path.slice(0, i + 1).join('/'))}" is a file, not a folder`)
    dir = found
  }
  throw new NoSuchEntryError('folder: empty path') // unreachable: the loop returns
}

/**
 * Every entry under `dir`, depth first, a directory before its contents.
 * Holds one page per level; refuses trees deeper than `MAX_FOLDER_DEPTH` or
 * paths longer than `MAX_PATH_BYTES` (`ManifestError`).
 */
export async function * walkFolder (
  dir: { root: BlockId, key: Uint8Array }, source: BlockSource | GetBlock, init: FolderReadInit = {}, prefix: readonly string[] = []
): AsyncGenerator<WalkedEntry, void, undefined> {
  if (prefix.length >= MAX_FOLDER_DEPTH) throw new ManifestError(`folder: deeper than ${MAX_FOLDER_DEPTH} levels`)
  for await (const entry of listFolder(dir, source, init)) {
    const path = [...prefix, entry.name]
    if (encoder.encode(path.join('/')).length > MAX_PATH_BYTES) throw new ManifestError(`folder: a path is longer than ${MAX_PATH_BYTES} bytes`)
    yield { path, entry }
    if (entry.kind === 'dir') yield * walkFolder(entry, source, init, path)
  }
}

const encoder = new TextEncoder()

export type { DirEntry, FileEntry, FolderEntry }
