import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { IntegrityError, InvalidIdError } from '../errors.js'
import { cryptoProvider, type CryptoProvider } from '../crypto/provider.js'

/** A block id: CIDv1, raw codec, sha2-256 (`bafkrei…`). */
export type BlockId = CID

const SHA2_256 = 0x12
const DIGEST_LENGTH = 32
/** Bytes of a block id in binary form: version, codec, hash code, length, digest. */
export const BLOCK_ID_BYTES = 36

/** Hash bytes (SHA-256 through the platform's `CryptoProvider`) and name them. */
export async function blockId (bytes: Uint8Array, provider: CryptoProvider = cryptoProvider()): Promise<BlockId> {
  return CID.createV1(raw.code, createDigest(SHA2_256, await provider.sha256(bytes)))
}

/** Throw `InvalidIdError` unless `cid` is a CIDv1 raw sha2-256. */
export function assertBlockId (cid: CID): BlockId {
  if (cid.version !== 1 || cid.code !== raw.code ||
      cid.multihash.code !== SHA2_256 || cid.multihash.size !== DIGEST_LENGTH) {
    throw new InvalidIdError('block id must be CIDv1 raw sha2-256')
  }
  return cid
}

/** Parse a block id from its string form (`bafkrei…`, base32 lower case only). */
export function parseBlockId (text: string): BlockId {
  if (typeof text !== 'string' || text.length !== 59 || !/^bafkrei[a-z2-7]{52}$/.test(text)) {
    throw new InvalidIdError('malformed block id')
  }
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch (cause) {
    throw new InvalidIdError('malformed block id', { cause })
  }
  assertBlockId(cid)
  if (cid.toString() !== text) throw new InvalidIdError('non-canonical block id')
  return cid
}

/** Decode a block id from its binary form (as carried on the wire). */
export function decodeBlockId (bytes: Uint8Array): BlockId {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BLOCK_ID_BYTES) {
    throw new InvalidIdError('malformed block id')
  }
  let cid: CID
  try {
    cid = CID.decode(bytes)
  } catch (cause) {
    throw new InvalidIdError('malformed block id', { cause })
  }
  return assertBlockId(cid)
}

/**
 * Throw `IntegrityError` unless `bytes` hash to `id`. The one block check:
 * the mesh, `verifiedSource` and stores all call it, hashing through the
 * platform's `CryptoProvider` (node:crypto in node-host, Web Crypto in browsers).
 */
export async function verifyBlock (id: BlockId, bytes: Uint8Array, provider: CryptoProvider = cryptoProvider()): Promise<void> {
  const actual = await provider.sha256(bytes)
  if (!equalBytes(actual, id.multihash.digest)) {
    throw new IntegrityError(`block ${id.toString()}: hash mismatch`)
  }
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
