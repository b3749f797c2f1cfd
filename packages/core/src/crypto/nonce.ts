import { OutOfRangeError } from '../errors.js'
import { NONCE_SIZE } from './geometry.js'

/**
 * nonce = base nonce XOR the chunk index as a big-endian integer as wide as the
 * nonce. Arithmetic on the index is plain division, so every safe integer works
 * (no 32-bit truncation); only single bytes are XOR'd.
 */
export function chunkNonce (baseNonce: Uint8Array, index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new OutOfRangeError(`invalid chunk index ${index}`)
  const nonce = baseNonce.slice(0, NONCE_SIZE)
  let rest = index
  for (let i = NONCE_SIZE - 1; rest > 0; i--) {
    nonce[i] = (nonce[i] as number) ^ (rest % 256)
    rest = Math.floor(rest / 256)
  }
  return nonce
}
