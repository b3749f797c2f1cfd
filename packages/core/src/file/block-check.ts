import { blockId } from '../block/id.js'
import type { ChunkCipher } from '../crypto/chunk-cipher.js'
import { BLOCK_PLAINTEXT, CHUNK_SIZE, CHUNKS_PER_BLOCK, PADDING_MARKER, TAG_SIZE, chunkCount } from '../crypto/geometry.js'
import { OutOfRangeError } from '../errors.js'
import { throwIfAborted } from './abort.js'
import type { AbortOptions } from '../store/block-store.js'
import type { OpenManifest } from './manifest-reader.js'

/**
 * Whether `plaintext` is the file's bytes of content block `index` (the file
 * bytes from `index * BLOCK_PLAINTEXT`, up to BLOCK_PLAINTEXT of them; none
 * for a block past the end): sealed again under the file's key (sealing is
 * deterministic: each chunk's nonce comes from its index), with the padding
 * format 2 puts after the last byte, the block must hash to its id in the
 * manifest. For bytes kept locally from an earlier download (a resumed
 * `get`): sealing under one key is one-to-one, so only the block's exact
 * plaintext passes (any other would need a SHA-256 second preimage of the
 * id), and neither the key nor the id comes from the local copy. Costs a
 * seal and a hash of the block; for a file past MAX_LIST_BLOCKS, the block's
 * id may first be fetched (a continuation manifest block, from the source).
 */
export async function plaintextMatchesBlock (
  manifest: OpenManifest, cipher: ChunkCipher, index: number, plaintext: Uint8Array, options: AbortOptions = {}
): Promise<boolean> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= manifest.blocks) throw new OutOfRangeError(`block index ${index} out of range`)
  throwIfAborted(options.signal)
  const size = manifest.info.size
  const start = index * BLOCK_PLAINTEXT
  if (plaintext.length !== Math.max(0, Math.min(BLOCK_PLAINTEXT, size - start))) return false
  // The content message's bytes of this block: the file's, then (format 2) the marker and zeros.
  const end = Math.min(start + BLOCK_PLAINTEXT, manifest.contentLength)
  const content = new Uint8Array(end - start)
  content.set(plaintext)
  if (manifest.contentLength > size && size >= start && size < end) content[size - start] = PADDING_MARKER
  const firstChunk = index * CHUNKS_PER_BLOCK
  const chunks: Uint8Array[] = []
  const count = Math.min(CHUNKS_PER_BLOCK, chunkCount(manifest.contentLength) - firstChunk)
  for (let j = 0; j < count; j++) chunks.push(content.subarray(j * CHUNK_SIZE, Math.min((j + 1) * CHUNK_SIZE, content.length)))
  const sealed = new Uint8Array(content.length + chunks.length * TAG_SIZE)
  await cipher.sealInto(firstChunk, chunks, sealed)
  const [expected, actual] = await Promise.all([manifest.blockId(index, options), blockId(sealed)])
  return actual.equals(expected)
}
