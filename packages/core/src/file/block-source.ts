import { ByteReader } from '../crypto/byte-reader.js'
import type { ChunkCipher } from '../crypto/index.js'
import { CHUNK_SIZE, CHUNKS_PER_BLOCK, TAG_SIZE } from '../crypto/geometry.js'
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

  /**
   * The next block's chunks: 64 full ones while more may follow; otherwise
   * the remaining full chunks and then the final, short chunk (`last`).
   */
  async next (): Promise<{ chunks: Uint8Array[], last: boolean }> {
    const chunks: Uint8Array[] = []
    while (chunks.length < CHUNKS_PER_BLOCK) {
      // A whole chunk inside the current piece is taken without a turn of the event loop.
      const chunk = this.#reader.readBuffered(CHUNK_SIZE) ?? await this.#reader.read(CHUNK_SIZE)
      chunks.push(chunk)
      this.total += chunk.length
      if (this.total > MAX_FILE_SIZE) throw new ManifestError(`file larger than the ${MAX_FILE_SIZE}-byte maximum`)
      if (chunk.length < CHUNK_SIZE) return { chunks, last: true }
    }
    return { chunks, last: false }
  }

  /** Stop reading the source early (after a failure or abort). */
  async close (): Promise<void> {
    await this.#reader.close()
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
