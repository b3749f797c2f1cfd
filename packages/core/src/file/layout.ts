/**
 * How a file's bytes map onto Cobblestone chunks and content blocks.
 *
 * Plaintext is cut into 16 KiB chunks (the final chunk always shorter,
 * possibly empty); each sealed chunk is 16 bytes longer. The ciphertext body
 * (after the 56-byte header, which lives in the manifest) is cut into blocks
 * of 64 sealed chunks, so block `i` holds plaintext bytes
 * `[i * 1 MiB, (i + 1) * 1 MiB)` and chunk indices `i * 64 … i * 64 + 63`.
 */
import { MAX_BLOCK_SIZE } from '../wire/limits.js'

export const PLAIN_CHUNK_SIZE = 16384
export const CHUNK_OVERHEAD = 16
export const SEALED_CHUNK = PLAIN_CHUNK_SIZE + CHUNK_OVERHEAD
/** Sealed chunks per content block. */
export const CHUNKS_PER_BLOCK = 64
/** Bytes of a full content block (1,049,600). */
export const BLOCK_SIZE = CHUNKS_PER_BLOCK * SEALED_CHUNK
/** Plaintext bytes carried by a full content block (1 MiB). */
export const BLOCK_PLAINTEXT = CHUNKS_PER_BLOCK * PLAIN_CHUNK_SIZE
/** Bytes of a Cobblestone header: salt ‖ commitment. */
export const CONTENT_HEADER_SIZE = 56

/** Cobblestone context strings (UTF-8). */
export const CONTENT_CONTEXT = 'cairn/v1/content'
export const MANIFEST_CONTEXT = 'cairn/v1/manifest'

/**
 * Largest file a manifest can describe: 512 TiB. The two-level manifest
 * (root → continuation blocks → content blocks, each manifest block at most
 * one block long) tops out near 700 TiB, so 2^49 is the round cap below it.
 */
export const MAX_FILE_SIZE = 2 ** 49

if (BLOCK_SIZE !== MAX_BLOCK_SIZE) throw new Error('content block size disagrees with MAX_BLOCK_SIZE')

/** Chunks in a message of `size` plaintext bytes: there is always a final, short chunk. */
function chunkCount (size: number): number {
  return Math.floor(size / PLAIN_CHUNK_SIZE) + 1
}

/** Ciphertext bytes after the header. */
export function bodyLength (size: number): number {
  return size + CHUNK_OVERHEAD * chunkCount(size)
}

/** Content blocks for `size` plaintext bytes (at least 1). */
export function blockCount (size: number): number {
  return Math.ceil(bodyLength(size) / BLOCK_SIZE)
}

/** Exact byte length of content block `index` of a file of `size` bytes. */
export function blockLength (size: number, index: number): number {
  const count = blockCount(size)
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`block index ${index} out of range`)
  }
  return index < count - 1 ? BLOCK_SIZE : bodyLength(size) - (count - 1) * BLOCK_SIZE
}
