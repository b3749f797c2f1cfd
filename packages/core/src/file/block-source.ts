import { ByteReader } from '../crypto/byte-reader.js'
import type { ChunkCipher } from '../crypto/index.js'
import { BLOCK_PLAINTEXT, CHUNK_SIZE, CHUNKS_PER_BLOCK, PADDING_MARKER, sizeClass, TAG_SIZE } from '../crypto/geometry.js'
import { ManifestError } from '../errors.js'
import { MAX_FILE_SIZE } from './manifest-fields.js'

/**
 * Cuts a byte stream (cut at arbitrary points) into blocks of 64 plaintext
 * chunks of 16 KiB (the last block shorter; the file's final chunk always
 * short, possibly empty). Chunks lying whole inside one source piece are
 * views of it, not copies: a source must not modify a piece after yielding it.
 */
export class PlaintextBlocks {
  readonly #reader: ByteReader
  /** Plaintext bytes read so far. */
  total = 0

  constructor (source: AsyncIterable<Uint8Array>) {
    this.#reader = new ByteReader(source)
  }

  /** A block of padding alone, when the marker filled the file's last block (format 2). */
  #spill: Uint8Array[] | undefined

  /**
   * The next block's chunks and the file's plaintext bytes in it: 64 full
   * chunks while more may follow; otherwise (`last`) the remaining full
   * chunks, then the file's final bytes with their padding (`padFinalBlock`),
   * which rarely spills into one more block of padding alone.
   */
  async next (): Promise<{ chunks: Uint8Array[], last: boolean, bytes: number }> {
    const spill = this.#spill
    if (spill !== undefined) {
      this.#spill = undefined
      return { chunks: spill, last: true, bytes: 0 }
    }
    const chunks: Uint8Array[] = []
    let bytes = 0
    while (chunks.length < CHUNKS_PER_BLOCK) {
      // A whole chunk inside the current piece is taken without a turn of the event loop.
      const chunk = this.#reader.readBuffered(CHUNK_SIZE) ?? await this.#reader.read(CHUNK_SIZE)
      chunks.push(chunk)
      bytes += chunk.length
      this.total += chunk.length
      if (this.total > MAX_FILE_SIZE) throw new ManifestError(`file larger than the ${MAX_FILE_SIZE}-byte maximum`)
      if (chunk.length < CHUNK_SIZE) {
        const [padded, spill] = padFinalBlock(chunks, bytes)
        this.#spill = spill
        return { chunks: padded, last: spill === undefined, bytes }
      }
    }
    return { chunks, last: false, bytes }
  }

  /** Stop reading the source early (after a failure or abort). */
  async close (): Promise<void> {
    await this.#reader.close()
  }
}

/** Zeros that padding chunks are views of (never written). */
const ZEROS = new Uint8Array(CHUNK_SIZE)

/**
 * Format 2's padding of a file's last block: its chunks (full ones, then a
 * short final one; `bytes` in all) followed by PADDING_MARKER and zeros up
 * to the class of `bytes + 1`, cut into chunks, the final one short as
 * Cobblestone requires. The final data chunk is copied; the zeros are views
 * of one shared buffer. When the marker fills the block, the final (empty)
 * chunk needs a block of its own: returned second, padded to the smallest class.
 */
export function padFinalBlock (chunks: Uint8Array[], bytes: number): [Uint8Array[], Uint8Array[] | undefined] {
  const padded = chunks.slice(0, -1)
  const final = chunks.at(-1) ?? ZEROS.subarray(0, 0)
  const marked = bytes + 1
  const target = marked === BLOCK_PLAINTEXT ? marked : sizeClass(marked, BLOCK_PLAINTEXT - 1)
  const filled = new Uint8Array(Math.min(CHUNK_SIZE, target - padded.length * CHUNK_SIZE))
  filled.set(final)
  filled[final.length] = PADDING_MARKER
  padded.push(filled)
  if (marked === BLOCK_PLAINTEXT) return [padded, zeroChunks(sizeClass(0, BLOCK_PLAINTEXT - 1))]
  // A short `filled` is the final chunk; a full one is followed by the rest of the zeros.
  if (filled.length === CHUNK_SIZE) padded.push(...zeroChunks(target - padded.length * CHUNK_SIZE))
  return [padded, undefined]
}

/** `length` zero bytes as chunks: full ones, then a short final one (empty if need be). */
function zeroChunks (length: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let left = length; ; left -= CHUNK_SIZE) {
    chunks.push(ZEROS.subarray(0, Math.min(CHUNK_SIZE, left)))
    if (left < CHUNK_SIZE) return chunks
  }
}

/** Seal the chunks of block `index` (chunk indices `index * 64 + j`) into the block's bytes. */
export async function sealBlock (cipher: ChunkCipher, index: number, chunks: Uint8Array[]): Promise<Uint8Array> {
  let length = 0
  for (const chunk of chunks) length += chunk.length + TAG_SIZE
  const block = new Uint8Array(length)
  await cipher.sealInto(index * CHUNKS_PER_BLOCK, chunks, block)
  return block
}
