/**
 * The content of a folder node (version 1). A folder is a tree of nodes, one
 * per directory; each node is an ordinary Cairn file (sealed, chunked, with
 * its own manifest and link) whose media type is `FOLDER_TYPE` and whose
 * plaintext is a sequence of items, each `u32be length ‖ CBOR`:
 *
 *   item 0:   { v: 1, kind: "cairn-folder" }
 *   items 1…: [entry, …]                      a page of 1–MAX_PAGE_ENTRIES entries
 *
 *   entry:    { name, kind: "file", size, mtime, type, root: bytes(36), key: bytes(16) }
 *        or   { name, kind: "dir", mtime, root: bytes(36), key: bytes(16) }
 *
 * `root` and `key` are the entry's own link (a file's, or its directory
 * node's). Entries are ordered by `foldName` across pages, strictly (no
 * duplicates, no case-insensitive collisions; names.ts). Items are at most
 * `MAX_ITEM_BYTES`, so a reader holds one page at a time however large a
 * directory is, and listing a subfolder reads only the nodes on its path.
 * CBOR is decoded as strictly as manifests are; nothing in it is trusted.
 */
import { encode } from 'cborg'
import { decodeStrict } from '../cbor-strict.js'
import { decodeBlockId, type BlockId } from '../block/id.js'
import { ManifestError } from '../errors.js'
import { FILE_KEY_BYTES } from '../address/link.js'
import { validateMtime, validateSize, validateType } from '../file/manifest-fields.js'
import { validateEntryName } from './names.js'

export const FOLDER_VERSION = 1
/** The media type in a folder node's manifest. */
export const FOLDER_TYPE = 'application/vnd.cairn.folder'
const KIND = 'cairn-folder'
/** Entries per page. */
export const MAX_PAGE_ENTRIES = 1024
/** An item's CBOR bytes at most (a full page of the longest names fits). */
export const MAX_ITEM_BYTES = 1024 * 1024
export const LENGTH_BYTES = 4

export interface FileEntry {
  name: string
  kind: 'file'
  size: number
  mtime: number
  type: string
  root: BlockId
  key: Uint8Array
}

export interface DirEntry {
  name: string
  kind: 'dir'
  mtime: number
  root: BlockId
  key: Uint8Array
}

export type FolderEntry = FileEntry | DirEntry

const FILE_KEYS = ['name', 'kind', 'size', 'mtime', 'type', 'root', 'key']
const DIR_KEYS = ['name', 'kind', 'mtime', 'root', 'key']

/** One item: length prefix and CBOR. */
function framed (value: unknown): Uint8Array {
  const body = encode(value)
  if (body.length > MAX_ITEM_BYTES) throw new ManifestError(`folder item of ${body.length} bytes exceeds ${MAX_ITEM_BYTES}`)
  const out = new Uint8Array(LENGTH_BYTES + body.length)
  new DataView(out.buffer).setUint32(0, body.length)
  out.set(body, LENGTH_BYTES)
  return out
}

export function encodeFolderHeader (): Uint8Array {
  return framed({ v: FOLDER_VERSION, kind: KIND })
}

export function encodePage (entries: readonly FolderEntry[]): Uint8Array {
  if (entries.length === 0 || entries.length > MAX_PAGE_ENTRIES) throw new ManifestError(`folder page: 1–${MAX_PAGE_ENTRIES} entries`)
  return framed(entries.map(entry => entry.kind === 'file'
    ? { name: entry.name, kind: 'file', size: entry.size, mtime: entry.mtime, type: entry.type, root: entry.root.bytes, key: entry.key }
    : { name: entry.name, kind: 'dir', mtime: entry.mtime, root: entry.root.bytes, key: entry.key }))
}

export function decodeFolderHeader (bytes: Uint8Array): void {
  const map = decodeItem(bytes)
  if (!(map instanceof Map)) throw new ManifestError('folder: header is not a map')
  if (map.get('kind') !== KIND) throw new ManifestError('folder: not a Cairn folder')
  if (map.get('v') !== FOLDER_VERSION) throw new ManifestError(`folder: unsupported version ${String(map.get('v')).slice(0, 16)}`)
  if (map.size !== 2) throw new ManifestError('folder: header fields must be exactly v, kind')
}

/** Decode and validate a page; order across entries is checked by the caller (`NameOrder`). */
export function decodePage (bytes: Uint8Array): FolderEntry[] {
  const list = decodeItem(bytes)
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_PAGE_ENTRIES) {
    throw new ManifestError(`folder page: expected a list of 1–${MAX_PAGE_ENTRIES} entries`)
  }
  return list.map(decodeEntry)
}

function decodeEntry (value: unknown): FolderEntry {
  if (!(value instanceof Map)) throw new ManifestError('folder entry: not a map')
  const kind = value.get('kind')
  const keys = kind === 'file' ? FILE_KEYS : kind === 'dir' ? DIR_KEYS : undefined
  if (keys === undefined) throw new ManifestError('folder entry: kind must be "file" or "dir"')
  if (value.size !== keys.length || !keys.every(key => value.has(key))) {
    throw new ManifestError(`folder entry: fields must be exactly ${keys.join(', ')}`)
  }
  const common = {
    name: validateEntryName(value.get('name')),
    mtime: validateMtime(value.get('mtime')),
    root: decodeRoot(value.get('root')),
    key: decodeKey(value.get('key'))
  }
  if (kind === 'dir') return { ...common, kind }
  return { ...common, kind: 'file', size: validateSize(value.get('size')), type: validateType(value.get('type')) }
}

function decodeRoot (value: unknown): BlockId {
  if (!(value instanceof Uint8Array)) throw new ManifestError('folder entry: root must be bytes')
  try {
    return decodeBlockId(value)
  } catch (cause) {
    throw new ManifestError('folder entry: invalid root', { cause })
  }
}

function decodeKey (value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== FILE_KEY_BYTES) {
    throw new ManifestError(`folder entry: key must be ${FILE_KEY_BYTES} bytes`)
  }
  return value
}

function decodeItem (bytes: Uint8Array): unknown {
  try {
    return decodeStrict(bytes)
  } catch (cause) {
    throw new ManifestError('folder: malformed CBOR', { cause })
  }
}
