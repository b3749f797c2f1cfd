/**
 * Strict CBOR decoding for the formats Cairn defines (manifests, block
 * records): maps as `Map`, no duplicate keys, no indefinite lengths, no
 * undefined, Infinity, NaN or bigints. Throws cborg's error; callers wrap it
 * in their own typed error.
 */
import { decode } from 'cborg'

export function decodeStrict (bytes: Uint8Array): unknown {
  return decode(bytes, {
    strict: true,
    useMaps: true,
    rejectDuplicateMapKeys: true,
    allowIndefinite: false,
    allowUndefined: false,
    allowInfinity: false,
    allowNaN: false,
    allowBigInt: false
  })
}
