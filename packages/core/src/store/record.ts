/**
 * The per-block record a host keeps with every block it stores: the replica
 * target R the block was put with, an optional expiry time, and an optional
 * owner tag (the SHA-256 of the file's owner secret). It travels with the
 * block on `put` (the wire's `record` field: these bytes) and on repair, and
 * is stored next to the block.
 *
 * Encoding, version 1: canonical CBOR, a map of exactly these keys
 *   { v: 1, r: R (1..16), e?: expiry (ms since the Unix epoch), o?: bytes(32) }
 * at most `MAX_RECORD_SIZE` bytes. Anything else is a `BlockRecordError`.
 *
 * A block put twice with different records keeps the most durable one
 * (`mergeRecords`): the largest R, the latest expiry (no expiry wins), and
 * the owner tag only when both agree (a block two owners claim is nobody's
 * to delete).
 */
import { encode } from 'cborg'
import { decodeStrict } from '../cbor-strict.js'
import { equalBytes } from '../block/id.js'
import { BlockRecordError } from '../errors.js'
import { MAX_REPLICAS } from '../wire/limits.js'

export const BLOCK_RECORD_VERSION = 1
/** Largest encoded record (a full one is about 55 bytes). */
export const MAX_RECORD_SIZE = 96
/** Length of an owner tag: SHA-256 of the owner secret. */
export const OWNER_TAG_LENGTH = 32
/** Latest expiry a record may carry (year 10000; keeps every value a safe integer). */
export const MAX_EXPIRY = 253_402_300_800_000

export interface BlockRecord {
  /** Replica target R, 1..MAX_REPLICAS. */
  replicas: number
  /** Expiry time in ms since the Unix epoch; absent: never expires. */
  expires?: number
  /** SHA-256 of the file's owner secret; absent: nobody may delete the block. */
  owner?: Uint8Array
}

const KEYS = new Set(['v', 'r', 'e', 'o'])

/** Throws `BlockRecordError` unless `record` is within range. */
export function checkRecord (record: BlockRecord): BlockRecord {
  const { replicas, expires, owner } = record
  if (!Number.isSafeInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
    throw new BlockRecordError(`block record: replicas must be 1..${MAX_REPLICAS}`)
  }
  if (expires !== undefined && (!Number.isSafeInteger(expires) || expires < 0 || expires > MAX_EXPIRY)) {
    throw new BlockRecordError('block record: expiry must be a time in ms since 1970, before year 10000')
  }
  if (owner !== undefined && (!(owner instanceof Uint8Array) || owner.length !== OWNER_TAG_LENGTH)) {
    throw new BlockRecordError(`block record: owner tag must be ${OWNER_TAG_LENGTH} bytes`)
  }
  return record
}

export function encodeRecord (record: BlockRecord): Uint8Array {
  checkRecord(record)
  const map: Record<string, unknown> = { v: BLOCK_RECORD_VERSION, r: record.replicas }
  if (record.expires !== undefined) map['e'] = record.expires
  if (record.owner !== undefined) map['o'] = record.owner
  return encode(map)
}

export function decodeRecord (bytes: Uint8Array): BlockRecord {
  if (bytes.length > MAX_RECORD_SIZE) throw new BlockRecordError(`block record: longer than ${MAX_RECORD_SIZE} bytes`)
  let value: unknown
  try {
    value = decodeStrict(bytes)
  } catch (cause) {
    throw new BlockRecordError('block record: malformed CBOR', { cause })
  }
  if (!(value instanceof Map)) throw new BlockRecordError('block record: not a map')
  for (const key of value.keys()) {
    if (typeof key !== 'string' || !KEYS.has(key)) throw new BlockRecordError('block record: unknown field')
  }
  if (value.get('v') !== BLOCK_RECORD_VERSION) throw new BlockRecordError('block record: unsupported version')
  const replicas = value.get('r')
  const expires = value.get('e')
  const owner = value.get('o')
  if (typeof replicas !== 'number') throw new BlockRecordError('block record: replicas missing')
  const record: BlockRecord = { replicas }
  if (value.has('e')) {
    if (typeof expires !== 'number') throw new BlockRecordError('block record: expiry is not a number')
    record.expires = expires
  }
  if (value.has('o')) {
    if (!(owner instanceof Uint8Array)) throw new BlockRecordError('block record: owner tag is not bytes')
    record.owner = owner
  }
  return checkRecord(record)
}

/** The more durable of two records for the same block (see the module comment). */
export function mergeRecords (a: BlockRecord, b: BlockRecord): BlockRecord {
  const merged: BlockRecord = { replicas: Math.max(a.replicas, b.replicas) }
  if (a.expires !== undefined && b.expires !== undefined) merged.expires = Math.max(a.expires, b.expires)
  if (a.owner !== undefined && b.owner !== undefined && equalBytes(a.owner, b.owner)) merged.owner = a.owner
  return merged
}

/** A copy that shares no bytes with `record`. */
export function copyRecord (record: BlockRecord): BlockRecord {
  const copy: BlockRecord = { replicas: record.replicas }
  if (record.expires !== undefined) copy.expires = record.expires
  if (record.owner !== undefined) copy.owner = record.owner.slice()
  return copy
}

/** The two records say the same. */
export function sameRecord (a: BlockRecord, b: BlockRecord): boolean {
  return a.replicas === b.replicas && a.expires === b.expires &&
    (a.owner === undefined ? b.owner === undefined : b.owner !== undefined && equalBytes(a.owner, b.owner))
}

/** The record has expired at `now` (ms since the epoch). */
export function isExpired (record: BlockRecord | undefined, now = Date.now()): boolean {
  return record?.expires !== undefined && now >= record.expires
}
