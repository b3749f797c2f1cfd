import type { ChunkCipher } from '../crypto/index.js'
import { ManifestError } from '../errors.js'
import { CHUNK_OVERHEAD, CHUNKS_PER_BLOCK, MAX_FILE_SIZE, PLAIN_CHUNK_SIZE } from './layout.js'

/**
 * Cuts a byte stream (cut at arbitrary points) into blocks of 64 plaintext
 * chunks of 16 KiB (the last block shorter; the file's final chunk always
 * short, possibly empty). Chunks lying whole inside one source piece are
 * views of it, not copies: a source must not modify a piece after yielding it.
 */
export class PlaintextBlocks {
  readonly #iterator: AsyncIterator<Uint8Array>
  /** The current source piece and how much of it is used. */
  #piece: Uint8Array = new Uint8Array(0)
  #offset = 0
  #ended = false
  /** Plaintext bytes read so far. */
  total = 0

  constructor (source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]()
  }

  /**
   * The next block's chunks: 64 full ones while more may follow; otherwise
   * the remaining full chunks and then the final, short chunk (`last`).
   */
  async next (): Promise<{ chunks: Uint8Array[], last: boolean }> {
    const chunks: Uint8Array[] = []
    while (chunks.length < CHUNKS_PER_BLOCK) {
      // A whole chunk inside the current piece is taken without a turn of the event loop.
      const chunk = this.#piece.length - this.#offset >= PLAIN_CHUNK_SIZE ? this.#take(PLAIN_CHUNK_SIZE) : await this.#chunk()
      chunks.push(chunk)
      this.total += chunk.length
      if (this.total > MAX_FILE_SIZE) throw new ManifestError(`file larger than the ${MAX_FILE_SIZE}-byte maximum`)
      if (chunk.length < PLAIN_CHUNK_SIZE) return { chunks, last: true }
    }
    return { chunks, last: false }
  }

  /** Stop reading the source early (after a failure or abort). */
  async close (): Promise<void> {
    if (!this.#ended) {
      this.#ended = true
      await this.#iterator.return?.()
    }
  }

  /** 16 KiB, or fewer only at the end of the stream. */
  async #chunk (): Promise<Uint8Array> {
    if (this.#offset === this.#piece.length) await this.#pull()
    if (this.#piece.length - this.#offset >= PLAIN_CHUNK_SIZE) return this.#take(PLAIN_CHUNK_SIZE)
    const chunk = new Uint8Array(PLAIN_CHUNK_SIZE)
    let filled = 0
    while (filled < PLAIN_CHUNK_SIZE && (this.#offset < this.#piece.length || await this.#pull())) {
      const part = this.#take(Math.min(this.#piece.length - this.#offset, PLAIN_CHUNK_SIZE - filled))
      chunk.set(part, filled)
      filled += part.length
    }
    return filled === PLAIN_CHUNK_SIZE ? chunk : chunk.subarray(0, filled)
  }

  #take (length: number): Uint8Array {
    const part = this.#piece.subarray(this.#offset, this.#offset + length)
    this.#offset += length
    return part
  }

  /** Load the next non-empty source piece; false at the end. */
  async #pull (): Promise<boolean> {
    while (!this.#ended) {
      const result = await this.#iterator.next()
      if (result.done === true) {
        this.#ended = true
        break
      }
      if (!(result.value instanceof Uint8Array)) throw new TypeError('file source must yield Uint8Array chunks')
      this.#piece = result.value
      this.#offset = 0
      if (this.#piece.length > 0) return true
    }
    this.#piece = new Uint8Array(0)
    this.#offset = 0
    return false
  }
}

/** Seal the chunks of block `index` (chunk indices `index * 64 + j`) into the block's bytes. */
export async function sealBlock (cipher: ChunkCipher, index: number, chunks: Uint8Array[]): Promise<Uint8Array> {
  let length = 0
  for (const chunk of chunks) length += chunk.length + CHUNK_OVERHEAD
  const block = new Uint8Array(length)
  await cipher.sealInto(index * CHUNKS_PER_BLOCK, chunks, block)
  return block
}
