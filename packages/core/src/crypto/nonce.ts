import { NONCE_SIZE } from './constants.js'

/**
 * nonce = base nonce XOR the chunk index as a big-endian integer as wide as the
 * nonce. Arithmetic on the index is plain division, so every safe integer works
 * (no 32-bit truncation); only single bytes are XOR'd.
 */
export function chunkNonce (baseNonce: Uint8Array, index: number): Uint8Array {
  return chunkNonceInto(baseNonce, index, new Uint8Array(NONCE_SIZE))
}

/**
 * chunkNonce written into `nonce` (NONCE_SIZE bytes), which it returns: no
 * allocation per chunk. Web Crypto copies an `iv` before `encrypt`/`decrypt`
 * return, so one scratch nonce may serve every call.
 */
export function chunkNonceInto (baseNonce: Uint8Array, index: number, nonce: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`invalid chunk index ${index}`)
  nonce.set(baseNonce.subarray(0, NONCE_SIZE))
  let rest = index
  for (let i = NONCE_SIZE - 1; rest > 0; i--) {
    nonce[i] = (nonce[i] as number) ^ (rest % 256)
    rest = Math.floor(rest / 256)
  }
  return nonce
}
