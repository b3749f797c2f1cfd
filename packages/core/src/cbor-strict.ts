/**
 * Strict CBOR decoding for the formats Cairn defines (manifests, folder nodes, block
 * records): maps as `Map`, no duplicate keys, no indefinite lengths, no
 * undefined, Infinity, NaN or bigints. Throws cborg's error; callers wrap it
 * in their own typed error.
 */
import { decode, decodeFirst } from 'cborg'

const STRICT = {
  strict: true,
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false
} as const

/** One strict CBOR item that must fill `bytes` exactly. */
export function decodeStrict (bytes: Uint8Array): unknown {
  return decode(bytes, STRICT)
}

/** One strict CBOR item at the start of `bytes`, and the bytes after it (format-2 padding). */
export function decodeStrictFirst (bytes: Uint8Array): [unknown, Uint8Array] {
  return decodeFirst(bytes, STRICT)
}
