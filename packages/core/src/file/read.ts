import type { BlockId } from '../block/id.js'
import { verifiedSource, type BlockSource, type GetBlock } from '../block/source.js'
import { ChunkCipher } from '../crypto/index.js'
import { abortable, linkedController, throwIfAborted } from './abort.js'
import { BlockWindow } from './block-window.js'
import { CHUNKS_PER_BLOCK, CONTENT_CONTEXT, PLAIN_CHUNK_SIZE, SEALED_CHUNK } from './layout.js'
import { parseLink, type ParsedLink } from '../address/link.js'
import type { FileInfo } from './manifest-fields.js'
import { OpenManifest } from './manifest-reader.js'

/** Content blocks fetched ahead of the one being consumed. */
export const DEFAULT_READ_AHEAD = 8
/**
 * Of those, blocks already decrypting (64 Web Crypto calls each): enough
 * queued work that neither the main thread nor Web Crypto's threads go idle
 * between blocks.
 */
const DECRYPT_AHEAD = 2

export interface ReadRange {
  /** First plaintext byte (default 0); at most the file size. */
  offset?: number
  /** Bytes wanted (default: to the end); clipped at the end of the file. */
  length?: number
}

export interface ReadInit extends ReadRange {
  /** Blocks fetched ahead, concurrently (default `DEFAULT_READ_AHEAD`). */
  readAhead?: number
  signal?: AbortSignal
}

export interface OpenedFile extends FileInfo {
  root: BlockId
  /** Content blocks. */
  blocks: number
  /** Stream plaintext `[offset, offset + length)`, fetching only the blocks that hold it. */
  read (init?: ReadInit): AsyncIterable<Uint8Array>
}

const CONTENT = new TextEncoder().encode(CONTENT_CONTEXT)

/**
 * Resolve a link: fetch, verify and decrypt its manifest (`DecryptionError`
 * for a wrong key), and check the content header's commitment. Nothing of
 * the content is fetched yet. Every block from `source` is hashed against
 * its id exactly once: by the mesh for `Mesh.blockSource()`, here for any
 * other source (a `BlockStore`, a function).
 */
export async function openFile (
  link: string | ParsedLink, source: BlockSource | GetBlock, init: { signal?: AbortSignal } = {}
): Promise<OpenedFile> {
  const { root, key } = typeof link === 'string' ? parseLink(link) : link
  const blocks = verifiedSource(source)
  const options = init.signal === undefined ? {} : { signal: init.signal }
  const manifest = await abortable(OpenManifest.open(root, key, blocks, options), init.signal)
  const cipher = await ChunkCipher.open(key, CONTENT, manifest.header)
  return {
    ...manifest.info,
    root,
    blocks: manifest.blocks,
    read: (readInit = {}) => readRange(manifest, cipher, blocks, readInit)
  }
}

/** Open `link` and stream (a range of) its plaintext. */
export async function * readFile (
  link: string | ParsedLink, source: BlockSource | GetBlock, init: ReadInit = {}
): AsyncGenerator<Uint8Array, void, undefined> {
  const file = await openFile(link, source, init.signal === undefined ? {} : { signal: init.signal })
  yield * file.read(init)
}

/**
 * Chunks `[first, last]` cover the range. A range reaching the end of the
 * file includes the final chunk (even when empty), as Cobblestone readers do;
 * an empty range short of the end reads nothing.
 */
function chunkSpan (size: number, range: ReadRange): { start: number, end: number, first: number, last: number } | undefined {
  const start = range.offset ?? 0
  if (!Number.isSafeInteger(start) || start < 0 || start > size) {
    throw new RangeError(`read offset ${start} outside a ${size}-byte file`)
  }
  const length = range.length ?? size - start
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid read length ${length}`)
  const end = Math.min(size, start + length)
  if (end === start && end < size) return undefined
  const last = end === size ? Math.floor(size / PLAIN_CHUNK_SIZE) : Math.floor((end - 1) / PLAIN_CHUNK_SIZE)
  return { start, end, first: Math.floor(start / PLAIN_CHUNK_SIZE), last }
}

async function * readRange (
  manifest: OpenManifest, cipher: ChunkCipher, blocks: BlockSource, init: ReadInit
): AsyncGenerator<Uint8Array, void, undefined> {
  const span = chunkSpan(manifest.info.size, init)
  const readAhead = init.readAhead ?? DEFAULT_READ_AHEAD
  if (!Number.isSafeInteger(readAhead) || readAhead < 0) throw new RangeError(`invalid readAhead ${readAhead}`)
  throwIfAborted(init.signal)
  if (span === undefined) return
  const firstBlock = Math.floor(span.first / CHUNKS_PER_BLOCK)
  const lastBlock = Math.floor(span.last / CHUNKS_PER_BLOCK)
  const { controller, dispose } = linkedController(init.signal)
  // Up to `decryptAhead` blocks after the one being consumed are decrypting
  // already, and the window fetches that many fewer ahead: at most
  // readAhead + 1 blocks are ever requested but not yet consumed.
  const decryptAhead = Math.min(DECRYPT_AHEAD, readAhead)
  const window = new BlockWindow(manifest, blocks, firstBlock, lastBlock, readAhead - decryptAhead, controller.signal)
  const decrypting: Array<Promise<Uint8Array[]>> = []
  let nextToDecrypt = firstBlock
  try {
    for (let index = firstBlock; index <= lastBlock; index++) {
      for (; nextToDecrypt <= Math.min(lastBlock, index + decryptAhead); nextToDecrypt++) {
        const blockIndex = nextToDecrypt
        const pending = window.take(blockIndex).then(async block => await openBlockRange(cipher, block, blockIndex, span))
        pending.catch(() => {}) // awaited below; this only marks it handled if the read stops first
        decrypting.push(pending)
      }
      const parts = await abortable(decrypting.shift() as Promise<Uint8Array[]>, init.signal)
      for (const part of parts) {
        throwIfAborted(init.signal)
        yield part
      }
    }
  } finally {
    controller.abort() // stop fetches still in flight when the reader stops early
    dispose()
  }
}

/** Decrypt the chunks of block `index` that hold part of the span, cut to it (empty parts dropped). */
async function openBlockRange (
  cipher: ChunkCipher, block: Uint8Array, index: number, span: { start: number, end: number, first: number, last: number }
): Promise<Uint8Array[]> {
  const base = index * CHUNKS_PER_BLOCK
  const from = Math.max(span.first, base) - base
  const to = Math.min(span.last, base + CHUNKS_PER_BLOCK - 1) - base
  const sealed: Uint8Array[] = []
  for (let j = from; j <= to; j++) {
    sealed.push(block.subarray(j * SEALED_CHUNK, Math.min(block.length, (j + 1) * SEALED_CHUNK)))
  }
  const chunks = await cipher.openMany(base + from, sealed)
  const parts: Uint8Array[] = []
  for (let j = 0; j < chunks.length; j++) {
    const offset = (base + from + j) * PLAIN_CHUNK_SIZE
    const chunk = chunks[j] as Uint8Array
    const part = chunk.subarray(Math.max(0, span.start - offset), Math.min(chunk.length, span.end - offset))
    if (part.length > 0) parts.push(part)
  }
  return parts
}
