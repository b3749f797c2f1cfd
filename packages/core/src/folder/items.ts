/**
 * Cut a folder node's plaintext stream into its items (`u32be length ‖ CBOR`),
 * holding at most one item (≤ `MAX_ITEM_BYTES`) plus one piece of the stream.
 */
import { concatBytes } from '../bytes.js'
import { ManifestError } from '../errors.js'
import { LENGTH_BYTES, MAX_ITEM_BYTES } from './format.js'

export async function * splitItems (pieces: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  let pending: Uint8Array = new Uint8Array(0)
  for await (const piece of pieces) {
    pending = pending.length === 0 ? piece : concatBytes([pending, piece])
    let at = 0
    for (;;) {
      if (pending.length - at < LENGTH_BYTES) break
      const length = new DataView(pending.buffer, pending.byteOffset + at, LENGTH_BYTES).getUint32(0)
      if (length > MAX_ITEM_BYTES) throw new ManifestError(`folder item of ${length} bytes exceeds ${MAX_ITEM_BYTES}`)
      if (pending.length - at - LENGTH_BYTES < length) break
      yield pending.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + length)
      at += LENGTH_BYTES + length
    }
    pending = pending.subarray(at)
  }
  if (pending.length > 0) throw new ManifestError('folder: truncated item')
}
