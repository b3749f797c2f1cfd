import { DecryptionError, OutOfRangeError } from '../errors.js'

/**
 * Geometry: every size of a Cobblestone message and of Cairn's blocks, and
 * the length arithmetic between them. The one place these numbers live;
 * `file/` and `wire/` (`MAX_FRAME_SIZE`) derive from it.
 *
 * A message is header (salt ‖ commitment) ‖ sealed chunks. Plaintext is cut
 * into CHUNK_SIZE chunks, the final chunk always shorter (possibly empty);
 * each sealed chunk is TAG_SIZE longer. Plaintext offset `o` lives in chunk
 * `floor(o / CHUNK_SIZE)`; chunk `k` starts at body offset
 * `k * SEALED_CHUNK_SIZE` (ciphertext offset HEADER_SIZE + that).
 *
 * Cairn stores a file's body (the sealed chunks; the header goes into the
 * manifest) in blocks of CHUNKS_PER_BLOCK sealed chunks: block `i` holds
 * plaintext `[i * BLOCK_PLAINTEXT, (i + 1) * BLOCK_PLAINTEXT)` and chunks
 * `i * CHUNKS_PER_BLOCK … (i + 1) * CHUNKS_PER_BLOCK - 1`. All values stay
 * below 2^53.
 */

/** Plaintext bytes per chunk (fixed by the C2SP spec); the final chunk is always shorter. */
export const CHUNK_SIZE = 16384
/** AES-GCM authentication tag length: what sealing adds to each chunk. */
export const TAG_SIZE = 16
/** A full chunk once sealed: CHUNK_SIZE + TAG_SIZE. */
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
/** Random per-message salt, first in the header. */
export const SALT_SIZE = 24
/** Key commitment, second in the header. */
export const COMMITMENT_SIZE = 32
/** salt ‖ commitment, in front of the sealed chunks (in the manifest, for a Cairn file). */
export const HEADER_SIZE = SALT_SIZE + COMMITMENT_SIZE
/** AES-GCM nonce length. */
export const NONCE_SIZE = 12
/**
 * Chunks per message are limited to 2^38 (4 PiB), as the current spec requires.
 * Indexes are plain safe integers; nothing is computed with 32-bit bitwise ops.
 */
export const MAX_CHUNK_COUNT = 2 ** 38

/** Sealed chunks per content block: the one number to change for another block size. */
export const CHUNKS_PER_BLOCK = 64
/**
 * Bytes of a full content block (1,049,600): the largest block there is. A
 * file's last block and manifest blocks may be shorter; stores, frames and
 * the wire schema are sized by it.
 */
export const MAX_BLOCK_SIZE = CHUNKS_PER_BLOCK * SEALED_CHUNK_SIZE
/** Plaintext bytes carried by a full content block (1 MiB). */
export const BLOCK_PLAINTEXT = CHUNKS_PER_BLOCK * CHUNK_SIZE

/** Chunks in a message of `plaintextLength` bytes, counting the short final chunk. */
export function chunkCount (plaintextLength: number): number {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) {
    throw new OutOfRangeError(`invalid plaintext length ${plaintextLength}`)
  }
  const count = Math.floor(plaintextLength / CHUNK_SIZE) + 1
  if (count > MAX_CHUNK_COUNT) throw new OutOfRangeError('message exceeds the maximum chunk count')
  return count
}

/** Bytes of the sealed chunks (the body, without the header) for `plaintextLength` bytes. */
export function bodyLength (plaintextLength: number): number {
  return plaintextLength + TAG_SIZE * chunkCount(plaintextLength)
}

/** Ciphertext bytes (header included) for `plaintextLength` bytes of plaintext. */
export function ciphertextLength (plaintextLength: number): number {
  return HEADER_SIZE + bodyLength(plaintextLength)
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

/** Content blocks for a file of `size` plaintext bytes (at least 1). */
export function blockCount (size: number): number {
  return Math.ceil(bodyLength(size) / MAX_BLOCK_SIZE)
}

/** Exact byte length of content block `index` of a file of `size` bytes. */
export function blockLength (size: number, index: number): number {
  const count = blockCount(size)
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new OutOfRangeError(`block index ${index} out of range`)
  }
  return index < count - 1 ? MAX_BLOCK_SIZE : bodyLength(size) - (count - 1) * MAX_BLOCK_SIZE
}
