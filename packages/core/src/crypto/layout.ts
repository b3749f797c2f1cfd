import { DecryptionError } from '../errors.js'
import { CHUNK_SIZE, HEADER_SIZE, MAX_CHUNK_COUNT, SEALED_CHUNK_SIZE, TAG_SIZE } from './constants.js'

/**
 * Length arithmetic of a Cobblestone message. Plaintext offset `o` lives in
 * chunk `o / CHUNK_SIZE` (floor); chunk `k` starts at ciphertext offset
 * HEADER_SIZE + k * SEALED_CHUNK_SIZE. All values stay below 2^53.
 */

/** Chunks in a message of `plaintextLength` bytes, counting the short final chunk. */
export function chunkCount (plaintextLength: number): number {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) {
    throw new RangeError(`invalid plaintext length ${plaintextLength}`)
  }
  const count = Math.floor(plaintextLength / CHUNK_SIZE) + 1
  if (count > MAX_CHUNK_COUNT) throw new RangeError('message exceeds the maximum chunk count')
  return count
}

/** Ciphertext bytes (header included) for `plaintextLength` bytes of plaintext. */
export function ciphertextLength (plaintextLength: number): number {
  const full = chunkCount(plaintextLength) - 1
  return HEADER_SIZE + full * SEALED_CHUNK_SIZE + (plaintextLength - full * CHUNK_SIZE) + TAG_SIZE
}

/**
 * Plaintext bytes in a ciphertext of `ciphertextLength` bytes (header
 * included). Throws DecryptionError for lengths no message has: shorter than
 * header + tag, ending on a chunk boundary (the short final chunk is missing),
 * or a final chunk shorter than a tag.
 */
export function plaintextLength (ciphertextLength: number): number {
  return bodyPlaintextLength(ciphertextLength - HEADER_SIZE)
}

/** As plaintextLength, for the sealed chunks alone (raw mode, or after the header). */
export function bodyPlaintextLength (bodyLength: number): number {
  if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) throw new DecryptionError()
  const full = Math.floor(bodyLength / SEALED_CHUNK_SIZE)
  const last = bodyLength - full * SEALED_CHUNK_SIZE
  if (last < TAG_SIZE || full >= MAX_CHUNK_COUNT) throw new DecryptionError()
  return full * CHUNK_SIZE + last - TAG_SIZE
}

/** Sealed length of chunk `index` in a message of `plaintextLength` bytes. */
export function sealedChunkLength (plaintextLength: number, index: number): number {
  const finalIndex = Math.floor(plaintextLength / CHUNK_SIZE)
  if (index < finalIndex) return SEALED_CHUNK_SIZE
  return plaintextLength - finalIndex * CHUNK_SIZE + TAG_SIZE
}
