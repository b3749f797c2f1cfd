import { InFlight } from './in-flight.js'
import { CHUNK_SIZE, SEALED_CHUNK_SIZE } from './geometry.js'
import type { ByteReader } from './byte-reader.js'
import type { ChunkCipher } from './chunk-cipher.js'

/**
 * The chunk loops shared by the streaming API and raw mode. Each chunk is
 * handed to Web Crypto as soon as its bytes are in, with up to `concurrency`
 * calls in flight; results leave in order, as soon as the oldest is done or
 * the window is full, so memory stays within the window whatever the input.
 *
 * A full chunk is never the final one (the final chunk is always short), so
 * nothing needs holding back: the read that comes up short marks the end.
 */
export async function * sealChunks (
  cipher: ChunkCipher, plaintext: ByteReader, concurrency: number
): AsyncGenerator<Uint8Array, void, undefined> {
  const window = new InFlight<Uint8Array>()
  for (let index = 0; ; index++) {
    const chunk = await plaintext.read(CHUNK_SIZE)
    window.push(cipher.seal(index, chunk))
    if (chunk.length < CHUNK_SIZE) break
    while (window.size >= concurrency || window.headSettled()) yield await window.shift()
  }
  while (window.size > 0) yield await window.shift()
}

/**
 * Opens sealed chunks in order. A short read is the final chunk; an empty one
 * means the stream ended on a chunk boundary (truncated), which cipher.open
 * rejects like any chunk shorter than a tag. Plaintext of chunks before a
 * failure may be released (each was authenticated); nothing at or after it is.
 */
export async function * openChunks (
  cipher: ChunkCipher, ciphertext: ByteReader, concurrency: number
): AsyncGenerator<Uint8Array, void, undefined> {
  const window = new InFlight<Uint8Array>()
  for (let index = 0; ; index++) {
    const sealed = await ciphertext.read(SEALED_CHUNK_SIZE)
    window.push(cipher.open(index, sealed))
    if (sealed.length < SEALED_CHUNK_SIZE) break
    while (window.size >= concurrency || window.headSettled()) yield await window.shift()
  }
  while (window.size > 0) {
    const plaintext = await window.shift()
    if (plaintext.length > 0) yield plaintext
  }
}
