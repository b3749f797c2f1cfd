/** The one strict CBOR decoding of everything sealed (manifests, folder nodes): canonical, no surprises. */
import { decode } from 'cborg'

/** cborg options: canonical integers and lengths, maps as `Map`, no duplicate keys, no undefined/Infinity/NaN/BigInt. */
export const STRICT_CBOR = {
  strict: true,
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false
} as const

/** Decode `bytes` strictly; throws cborg's error on anything else. */
export function decodeStrictCbor (bytes: Uint8Array): unknown {
  return decode(bytes, STRICT_CBOR)
}
