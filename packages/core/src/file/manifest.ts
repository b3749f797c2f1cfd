/**
 * The manifest's plaintext: a CBOR map, strictly decoded, then (format 2)
 * zero bytes up to the map's size class (`sizeClass`, MAX_MESSAGE_PLAINTEXT).
 *
 * Root (its block's CID is the file's root):
 *   { v, name, type, size, mtime, header: bytes(56), blocks: [cid…] }
 *   { v, name, type, size, mtime, header: bytes(56), parts: [[cid, count]…] }
 * Continuation (the block list of a large file, in order, `count` ids each):
 *   { v, blocks: [cid…] }
 *
 * `v` is the format version. 2 (written): manifests padded as above, and the
 * content message's last block padded (`paddedLength`). 1 (still read): no
 * padding anywhere. A continuation has its root's version. Any other
 * version is an UnsupportedVersionError.
 *
 * A file of up to `MAX_LIST_BLOCKS` content blocks (~24 GiB) lists them inline;
 * a larger one lists continuation blocks of at most `MAX_LIST_BLOCKS` ids, so a
 * reader needs the root plus one continuation to find any block. Ids are binary
 * CIDs (36 bytes). Each manifest block is encrypted separately (see manifest-block.ts).
 */
import { encode } from 'cborg'
import { decodeStrictFirst } from '../cbor-strict.js'
import { decodeBlockId, type BlockId } from '../block/id.js'
import { ManifestError, UnsupportedVersionError } from '../errors.js'
import { blockCount, MAX_MESSAGE_PLAINTEXT, paddedBlockCount, sizeClass } from '../crypto/geometry.js'
import { MAX_FILE_SIZE } from './manifest-fields.js'
import {
  validateHeader, validateMtime, validateName, validateSize, validateType, type FileInfo
} from './manifest-fields.js'

/** The format version this Cairn writes. */
export const MANIFEST_VERSION = 2
/** Format versions this Cairn reads. */
export type FormatVersion = 1 | 2
const READABLE: readonly number[] = [1, 2]
/** Block ids in an inline list or in one continuation block (≈ 950 KB of CBOR). */
export const MAX_LIST_BLOCKS = 25_000
/** Continuation blocks a root may list: enough for `MAX_FILE_SIZE`. */
export const MAX_PARTS = Math.ceil(paddedBlockCount(MAX_FILE_SIZE) / MAX_LIST_BLOCKS)

export interface ManifestPart {
  /** Id of a continuation manifest block. */
  id: BlockId
  /** Content block ids it lists. */
  count: number
}

export type BlockList =
  | { blocks: BlockId[], parts?: undefined }
  | { parts: ManifestPart[], blocks?: undefined }

export type RootManifest = FileInfo & { header: Uint8Array } & BlockList
/** A decoded root: its format version decides how its content is laid out. */
export type DecodedRoot = RootManifest & { version: FormatVersion }

const ROOT_KEYS = ['v', 'name', 'type', 'size', 'mtime', 'header']
const CONTINUATION_KEYS = ['v', 'blocks']

export function encodeRoot (root: RootManifest): Uint8Array {
  const map: Record<string, unknown> = {
    v: MANIFEST_VERSION,
    name: root.name,
    type: root.type,
    size: root.size,
    mtime: root.mtime,
    header: root.header
  }
  if (root.blocks !== undefined) map.blocks = root.blocks.map(id => id.bytes)
  else map.parts = root.parts.map(part => [part.id.bytes, part.count])
  return padded(encode(map))
}

export function encodeContinuation (blocks: BlockId[]): Uint8Array {
  return padded(encode({ v: MANIFEST_VERSION, blocks: blocks.map(id => id.bytes) }))
}

/** CBOR followed by zeros up to its size class; ManifestError if it cannot fit one block. */
function padded (cbor: Uint8Array): Uint8Array {
  if (cbor.length > MAX_MESSAGE_PLAINTEXT) throw new ManifestError(`manifest of ${cbor.length} bytes exceeds one block`)
  const out = new Uint8Array(sizeClass(cbor.length, MAX_MESSAGE_PLAINTEXT))
  out.set(cbor)
  return out
}

export function decodeRoot (bytes: Uint8Array): DecodedRoot {
  const { map, version } = decodeMap(bytes)
  const listKey = map.has('parts') ? 'parts' : 'blocks'
  expectKeys(map, [...ROOT_KEYS, listKey])
  const info = {
    name: validateName(map.get('name')),
    type: validateType(map.get('type')),
    size: validateSize(map.get('size')),
    mtime: validateMtime(map.get('mtime')),
    header: validateHeader(map.get('header'))
  }
  const expected = version === 1 ? blockCount(info.size) : paddedBlockCount(info.size)
  if (listKey === 'blocks') {
    if (expected > MAX_LIST_BLOCKS) throw new ManifestError('manifest: large file must list continuation parts')
    return { ...info, version, blocks: decodeIdList(map.get('blocks'), expected) }
  }
  if (expected <= MAX_LIST_BLOCKS) throw new ManifestError('manifest: small file must list its blocks inline')
  return { ...info, version, parts: decodeParts(map.get('parts'), expected) }
}

/** Decode a continuation block of a root in format `version` that must list exactly `count` ids. */
export function decodeContinuation (bytes: Uint8Array, count: number, version: FormatVersion = MANIFEST_VERSION): BlockId[] {
  const decoded = decodeMap(bytes)
  if (decoded.version !== version) throw new ManifestError(`manifest: continuation in format ${decoded.version}, root in ${version}`)
  expectKeys(decoded.map, CONTINUATION_KEYS)
  return decodeIdList(decoded.map.get('blocks'), count)
}

/**
 * The CBOR map and its format version, checked first: an unknown version is
 * an UnsupportedVersionError before any other field is looked at. Format 1
 * ends with the map; format 2 pads it with zeros to exactly its size class.
 */
function decodeMap (bytes: Uint8Array): { map: Map<unknown, unknown>, version: FormatVersion } {
  let value: unknown
  let rest: Uint8Array
  try {
    [value, rest] = decodeStrictFirst(bytes)
  } catch (cause) {
    throw new ManifestError('manifest: malformed CBOR', { cause })
  }
  if (!(value instanceof Map)) throw new ManifestError('manifest: not a map')
  const version: unknown = value.get('v')
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new ManifestError('manifest: format version missing or not a positive integer')
  }
  if (!READABLE.includes(version)) {
    throw new UnsupportedVersionError(
      `manifest format version ${version} is not supported (this Cairn reads ${READABLE.join(' and ')}): update Cairn to open this file`)
  }
  const cbor = bytes.length - rest.length
  const padding = version === 1 ? 0 : sizeClass(Math.min(cbor, MAX_MESSAGE_PLAINTEXT), MAX_MESSAGE_PLAINTEXT) - cbor
  if (rest.length !== padding || rest.some(byte => byte !== 0)) {
    throw new ManifestError(`manifest: format ${version} needs ${padding} zero bytes after the map, found ${rest.length}`)
  }
  return { map: value, version: version as FormatVersion }
}

function expectKeys (map: Map<unknown, unknown>, keys: string[]): void {
  if (map.size !== keys.length || !keys.every(key => map.has(key))) {
    throw new ManifestError(`manifest: fields must be exactly ${keys.join(', ')}`)
  }
}

function decodeIdList (value: unknown, count: number): BlockId[] {
  if (!Array.isArray(value) || value.length !== count) {
    throw new ManifestError(`manifest blocks: expected a list of ${count} block ids`)
  }
  return value.map(decodeId)
}

function decodeParts (value: unknown, total: number): ManifestPart[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PARTS) {
    throw new ManifestError(`manifest parts: expected a list of 1–${MAX_PARTS} parts`)
  }
  let sum = 0
  const parts = value.map((entry: unknown): ManifestPart => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new ManifestError('manifest parts: entry must be [id, count]')
    const count: unknown = entry[1]
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > MAX_LIST_BLOCKS) {
      throw new ManifestError(`manifest parts: count must be 1–${MAX_LIST_BLOCKS}`)
    }
    sum += count
    return { id: decodeId(entry[0]), count }
  })
  if (sum !== total) throw new ManifestError(`manifest parts: list ${sum} blocks, size implies ${total}`)
  return parts
}

function decodeId (value: unknown): BlockId {
  if (!(value instanceof Uint8Array)) throw new ManifestError('manifest: block id must be bytes')
  try {
    return decodeBlockId(value)
  } catch (cause) {
    throw new ManifestError('manifest: invalid block id', { cause })
  }
}
