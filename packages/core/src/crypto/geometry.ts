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

/**
 * Size classes (format 2): what a storing host may learn of a length. A
 * file's content ends with its padding: one 0x80 byte, then zeros up to the
 * last block's size class; every manifest block's plaintext is zero-padded
 * to its class. A class is one byte short of a power of two (so the final
 * chunk stays short), from 4 KiB up to what one block can hold: a host sees
 * which of about nine classes a length falls in, never the length, which is
 * only inside the encryption (the manifest's `size`, and the marker).
 */
export const MIN_SIZE_CLASS = 4096
/** Largest plaintext of a message that fits one block with its own header: a manifest block's (1,048,520 bytes). */
export const MAX_MESSAGE_PLAINTEXT = bodyPlaintextLength(MAX_BLOCK_SIZE - HEADER_SIZE)
/** The byte that ends a file's content in format 2, before the zeros (ISO/IEC 7816-4 padding). */
export const PADDING_MARKER = 0x80

/**
 * `length` padded to its class: min(2^k, max + 1) − 1 for the least k with
 * 2^k > length and 2^k ≥ MIN_SIZE_CLASS. `max`: the largest padded length
 * (a last content block holds up to BLOCK_PLAINTEXT − 1, a manifest block up
 * to MAX_MESSAGE_PLAINTEXT). OutOfRangeError for a length above `max`.
 */
export function sizeClass (length: number, max: number): number {
  if (!Number.isSafeInteger(length) || length < 0 || length > max) {
    throw new OutOfRangeError(`length ${length} outside 0–${max}`)
  }
  let bound = MIN_SIZE_CLASS
  while (bound <= length) bound *= 2
  return Math.min(bound - 1, max)
}

/**
 * Plaintext length of the content message of a `size`-byte file in format 2:
 * the file, the marker byte, and zeros filling the last block to its class.
 * The marker needs a byte of room: a file one byte short of a whole number
 * of blocks fills its block with the marker, and the (empty) final chunk
 * spills into one more block, padded to the smallest class.
 */
export function paddedLength (size: number): number {
  chunkCount(size) // checks size
  const marked = size + 1
  const last = marked % BLOCK_PLAINTEXT
  return marked - last + sizeClass(last, BLOCK_PLAINTEXT - 1)
}

/** Content blocks of a `size`-byte file in format 2 (`blockCount(size)` in format 1). */
export function paddedBlockCount (size: number): number {
  return blockCount(paddedLength(size))
}
