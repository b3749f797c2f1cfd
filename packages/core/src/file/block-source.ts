import type { ChunkCipher } from '../crypto/index.js'
import { ManifestError } from '../errors.js'
import { BLOCK_PLAINTEXT, CHUNKS_PER_BLOCK, MAX_FILE_SIZE, PLAIN_CHUNK_SIZE } from './layout.js'

/**
 * Reads a byte stream cut at arbitrary points into fresh buffers of exactly
 * `BLOCK_PLAINTEXT` bytes (the last one shorter, possibly empty). Input is
 * copied, so callers may reuse the buffers they yield.
 */
export class PlaintextBlocks {
  readonly #iterator: AsyncIterator<Uint8Array>
  #leftover: Uint8Array = new Uint8Array(0)
  #ended = false
  /** Plaintext bytes read so far. */
  total = 0

  constructor (source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]()
  }

  /** The next block of plaintext: full length unless the source has ended. */
  async next (): Promise<Uint8Array> {
    const block = new Uint8Array(BLOCK_PLAINTEXT)
    let filled = 0
    while (filled < BLOCK_PLAINTEXT) {
      if (this.#leftover.length === 0 && !await this.#pull()) break
      const take = Math.min(this.#leftover.length, BLOCK_PLAINTEXT - filled)
      block.set(this.#leftover.subarray(0, take), filled)
      this.#leftover = this.#leftover.subarray(take)
      filled += take
    }
    this.total += filled
    if (this.total > MAX_FILE_SIZE) throw new ManifestError(`file larger than the ${MAX_FILE_SIZE}-byte maximum`)
    return filled === BLOCK_PLAINTEXT ? block : block.subarray(0, filled)
  }

  /** Stop reading the source early (after a failure or abort). */
  async close (): Promise<void> {
    if (!this.#ended) {
      this.#ended = true
      await this.#iterator.return?.()
    }
  }

  async #pull (): Promise<boolean> {
    if (this.#ended) return false
    const result = await this.#iterator.next()
    if (result.done === true) {
      this.#ended = true
      return false
    }
    if (!(result.value instanceof Uint8Array)) throw new TypeError('file source must yield Uint8Array chunks')
    this.#leftover = result.value
    return true
  }
}

/**
 * Seal block `index` of plaintext: 64 full chunks for a full block (more
 * follows: the final chunk is always short); otherwise the remaining full
 * chunks then the short, possibly empty, final chunk. Returns the block bytes.
 */
export async function sealBlock (cipher: ChunkCipher, index: number, plaintext: Uint8Array): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  const full = plaintext.length === BLOCK_PLAINTEXT
  const count = full ? CHUNKS_PER_BLOCK : Math.floor(plaintext.length / PLAIN_CHUNK_SIZE) + 1
  for (let j = 0; j < count; j++) {
    chunks.push(plaintext.subarray(j * PLAIN_CHUNK_SIZE, Math.min(plaintext.length, (j + 1) * PLAIN_CHUNK_SIZE)))
  }
  const sealed = await cipher.sealMany(index * CHUNKS_PER_BLOCK, chunks)
  return concat(sealed)
}

export function concat (parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
