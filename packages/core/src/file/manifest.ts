/**
 * The manifest's plaintext: CBOR maps, strictly decoded.
 *
 * Root (its block's CID is the file's root):
 *   { v: 1, name, type, size, mtime, header: bytes(56), blocks: [cid…] }
 *   { v: 1, name, type, size, mtime, header: bytes(56), parts: [[cid, count]…] }
 * Continuation (the block list of a large file, in order, `count` ids each):
 *   { v: 1, blocks: [cid…] }
 *
 * A file of up to `MAX_LIST_BLOCKS` content blocks (~24 GiB) lists them inline;
 * a larger one lists continuation blocks of at most `MAX_LIST_BLOCKS` ids, so a
 * reader needs the root plus one continuation to find any block. Ids are binary
 * CIDs (36 bytes). Each manifest block is encrypted separately (see manifest-block.ts).
 */
import { encode } from 'cborg'
import { decodeStrictCbor } from './strict-cbor.js'
import { decodeBlockId, type BlockId } from '../block/id.js'
import { ManifestError } from '../errors.js'
import { blockCount } from '../crypto/geometry.js'
import { MAX_FILE_SIZE } from './manifest-fields.js'
import {
  validateHeader, validateMtime, validateName, validateSize, validateType, type FileInfo
} from './manifest-fields.js'

export const MANIFEST_VERSION = 1
/** Block ids in an inline list or in one continuation block (≈ 950 KB of CBOR). */
export const MAX_LIST_BLOCKS = 25_000
/** Continuation blocks a root may list: enough for `MAX_FILE_SIZE`. */
export const MAX_PARTS = Math.ceil(blockCount(MAX_FILE_SIZE) / MAX_LIST_BLOCKS)

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
  return encode(map)
}

export function encodeContinuation (blocks: BlockId[]): Uint8Array {
  return encode({ v: MANIFEST_VERSION, blocks: blocks.map(id => id.bytes) })
}

export function decodeRoot (bytes: Uint8Array): RootManifest {
  const map = decodeMap(bytes)
  const listKey = map.has('parts') ? 'parts' : 'blocks'
  expectKeys(map, [...ROOT_KEYS, listKey])
  const info = {
    name: validateName(map.get('name')),
    type: validateType(map.get('type')),
    size: validateSize(map.get('size')),
    mtime: validateMtime(map.get('mtime')),
    header: validateHeader(map.get('header'))
  }
  const expected = blockCount(info.size)
  if (listKey === 'blocks') {
    if (expected > MAX_LIST_BLOCKS) throw new ManifestError('manifest: large file must list continuation parts')
    return { ...info, blocks: decodeIdList(map.get('blocks'), expected) }
  }
  if (expected <= MAX_LIST_BLOCKS) throw new ManifestError('manifest: small file must list its blocks inline')
  return { ...info, parts: decodeParts(map.get('parts'), expected) }
}

/** Decode a continuation block that must list exactly `count` ids. */
export function decodeContinuation (bytes: Uint8Array, count: number): BlockId[] {
  const map = decodeMap(bytes)
  expectKeys(map, CONTINUATION_KEYS)
  return decodeIdList(map.get('blocks'), count)
}

function decodeMap (bytes: Uint8Array): Map<unknown, unknown> {
  let value: unknown
  try {
    value = decodeStrictCbor(bytes)
  } catch (cause) {
    throw new ManifestError('manifest: malformed CBOR', { cause })
  }
  if (!(value instanceof Map)) throw new ManifestError('manifest: not a map')
  return value
}

function expectKeys (map: Map<unknown, unknown>, keys: string[]): void {
  if (map.size !== keys.length || !keys.every(key => map.has(key))) {
    throw new ManifestError(`manifest: fields must be exactly ${keys.join(', ')}`)
  }
  if (map.get('v') !== MANIFEST_VERSION) throw new ManifestError('manifest: unsupported version')
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
