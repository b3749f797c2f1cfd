import { OutOfRangeError } from '../errors.js'
import { NONCE_SIZE } from './geometry.js'

/**
 * nonce = base nonce XOR the chunk index as a big-endian integer as wide as the
 * nonce. Arithmetic on the index is plain division, so every safe integer works
 * (no 32-bit truncation); only single bytes are XOR'd.
 */
export function chunkNonce (baseNonce: Uint8Array, index: number): Uint8Array {
  return chunkNonces(baseNonce, index, 1)
}

/** Nonces of `count` consecutive chunks from `first`, back to back in one buffer (NONCE_SIZE bytes each). */
export function chunkNonces (baseNonce: Uint8Array, first: number, count: number): Uint8Array {
  if (!Number.isSafeInteger(first) || first < 0) throw new OutOfRangeError(`invalid chunk index ${first}`)
  const nonces = new Uint8Array(count * NONCE_SIZE)
  for (let j = 0; j < count; j++) {
    const at = j * NONCE_SIZE
    nonces.set(baseNonce.subarray(0, NONCE_SIZE), at)
    let rest = first + j
    for (let i = NONCE_SIZE - 1; rest > 0; i--) {
      nonces[at + i] = (nonces[at + i] as number) ^ (rest % 256)
      rest = Math.floor(rest / 256)
    }
  }
  return nonces
}
