import { CID } from 'multiformats/cid'
import { assertBlockId, parseBlockId } from '../block/id.js'
import { InvalidIdError } from '../errors.js'

/**
 * The canonical text form of a block id (`bafkrei` + 52 base32 characters),
 * checked. Stores key by it, and disk stores build paths from it, so whatever
 * reaches a store from the wire is validated here first: anything but a CIDv1
 * raw sha2-256 (as a CID or its canonical string) throws `InvalidIdError`.
 */
export function blockKey (id: unknown): string {
  if (typeof id === 'string') return parseBlockId(id).toString()
  const cid = CID.asCID(id)
  if (cid === null) throw new InvalidIdError('block id must be a CID')
  assertBlockId(cid)
  // Round-trip through the strict parser: the result only holds [a-z2-7].
  return parseBlockId(cid.toString()).toString()
}
