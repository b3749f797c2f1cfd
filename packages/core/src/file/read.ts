import type { BlockId } from '../block/id.js'
import { verifiedSource, type BlockSource, type GetBlock } from '../block/source.js'
import { CHUNKS_PER_BLOCK, MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { ChunkCipher } from '../crypto/index.js'
import { chunkSpan, openWindows, type PlaintextRange } from '../crypto/random-access.js'
import { OutOfRangeError } from '../errors.js'
import { abortable, linkedController, throwIfAborted } from './abort.js'
import { BlockWindow } from './block-window.js'
import { plaintextMatchesBlock } from './block-check.js'
import { CONTENT_CONTEXT } from './contexts.js'
import { parseLink, type ParsedLink } from '../address/link.js'
import type { FileInfo } from './manifest-fields.js'
import { OpenManifest } from './manifest-reader.js'
import { PaddingCut } from './padding-cut.js'
import { ReadDepth } from './read-depth.js'

/** Content blocks fetched ahead of the one being consumed. */
export const DEFAULT_READ_AHEAD = 8
/**
 * Of those, blocks opened as they arrive (default): enough queued work that
 * neither the main thread nor Web Crypto's threads go idle between blocks
 * (64 Web Crypto calls each).
 */
export const DEFAULT_OPEN_AHEAD = 2

/**
 * `offset`: first plaintext byte (default 0), at most the file size;
 * `length`: bytes wanted (default: to the end), clipped at the end of the file.
 * Anything else is an `OutOfRangeError`.
 */
export type ReadRange = PlaintextRange

export interface ReadInit extends ReadRange {
  /** Blocks fetched ahead, concurrently (default `DEFAULT_READ_AHEAD`). */
  readAhead?: number
  /**
   * Of `readAhead` (with `adaptive`: of the depth it has now; at most all of
   * them), blocks opened (decrypted) as soon as they arrive instead of once
   * the reader nears them (default `DEFAULT_OPEN_AHEAD`). More lets the main thread open blocks while the
   * consumer waits (on a disk write, say) and frees each block's ciphertext
   * as soon as it is opened; it holds plaintext instead, in buffers of their
   * own or, with `recycle`, a pool that grows by as many.
   */
  openAhead?: number
  /**
   * Keep only as many of `readAhead` requested as the path needs
   * (`ReadDepth`: as deep as the latency asks, 3 or 4 blocks when the reader
   * is the slower side) instead of always all of them. Each read starts
   * afresh at `START_DEPTH`. Default false.
   */
  adaptive?: boolean
  /**
   * Reuse plaintext buffers (a few, not one per block): each part yielded is
   * valid only until the next is asked for (or, with `held`, until `held + 1`
   * later ones were), when its memory is reused. For consumers that are done
   * with a part (written, hashed) by then, such as `cairn get`. Default
   * false: every part is a buffer of its own, which the reader may keep.
   */
  recycle?: boolean
  /**
   * With `recycle`: parts the consumer keeps after asking for the next
   * (default 0). A part's memory is reused only once `held + 1` later parts
   * have been asked for, so the consumer may have up to `held` writes of
   * earlier parts in flight (`cairn get` writes behind the read this way).
   * The pool grows by `held` buffers.
   */
  held?: number
  signal?: AbortSignal
}

export interface OpenedFile extends FileInfo {
  root: BlockId
  /** Content blocks. */
  blocks: number
  /**
   * The id of content block `index` (0 ≤ index < blocks; else `OutOfRangeError`),
   * e.g. to see which blocks a store already holds. Past the inline list it
   * fetches a continuation block from the source.
   */
  blockId (index: number, options?: { signal?: AbortSignal }): Promise<BlockId>
  /** Stream plaintext `[offset, offset + length)`, fetching only the blocks that hold it. */
  read (init?: ReadInit): AsyncIterable<Uint8Array>
  /**
   * Whether `plaintext` is this file's bytes of content block `index` (from
   * `index * BLOCK_PLAINTEXT`, at most BLOCK_PLAINTEXT), checked against the
   * block's id without fetching the block (a large file's continuation
   * manifest block may be fetched for the id): for bytes kept from an earlier
   * download. See `plaintextMatchesBlock`.
   */
  matchesBlock (index: number, plaintext: Uint8Array, options?: { signal?: AbortSignal }): Promise<boolean>
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
    blockId: async (index, options = {}) => await manifest.blockId(index, options),
    read: (readInit = {}) => readRange(manifest, cipher, blocks, readInit),
    matchesBlock: async (index, plaintext, options = {}) => await plaintextMatchesBlock(manifest, cipher, index, plaintext, options)
  }
}

/** Open `link` and stream (a range of) its plaintext. */
export async function * readFile (
  link: string | ParsedLink, source: BlockSource | GetBlock, init: ReadInit = {}
): AsyncGenerator<Uint8Array, void, undefined> {
  const file = await openFile(link, source, init.signal === undefined ? {} : { signal: init.signal })
  yield * file.read(init)
}

async function * readRange (
  manifest: OpenManifest, cipher: ChunkCipher, blocks: BlockSource, init: ReadInit
): AsyncGenerator<Uint8Array, void, undefined> {
  const size = manifest.info.size
  const wanted = chunkSpan(size, init)
  // Format 2: a read to the end of the file runs on through the padding, which is checked and dropped.
  const cut = wanted !== undefined && wanted.end === size && manifest.contentLength > size
    ? new PaddingCut(wanted.start, size, manifest.contentLength)
    : undefined
  const span = cut === undefined || wanted === undefined ? wanted : chunkSpan(manifest.contentLength, { offset: wanted.start })
  const readAhead = init.readAhead ?? DEFAULT_READ_AHEAD
  if (!Number.isSafeInteger(readAhead) || readAhead < 0) throw new OutOfRangeError(`invalid readAhead ${readAhead}`)
  const openAhead = init.openAhead ?? DEFAULT_OPEN_AHEAD
  if (!Number.isSafeInteger(openAhead) || openAhead < 0) throw new OutOfRangeError(`invalid openAhead ${openAhead}`)
  throwIfAborted(init.signal)
  if (span === undefined) return
  const firstBlock = Math.floor(span.first / CHUNKS_PER_BLOCK)
  const lastBlock = Math.floor(span.last / CHUNKS_PER_BLOCK)
  const { controller, dispose } = linkedController(init.signal)
  // Of the `ahead` blocks after the one being consumed (readAhead, or what
  // ReadDepth sets), up to `openAhead` are opened as they arrive, and the
  // window fetches the rest: at most readAhead + 1 blocks are ever requested
  // but not yet consumed.
  const depth = init.adaptive === true ? new ReadDepth(readAhead) : undefined
  const ahead = depth === undefined ? () => readAhead : () => depth.value
  const decryptAhead = (): number => Math.min(openAhead, ahead())
  const window = new BlockWindow(
    manifest, blocks, firstBlock, lastBlock, () => ahead() - decryptAhead(), controller.signal,
    depth === undefined ? undefined : ms => { depth.sample(ms) }
  )
  // openRange's windows of CHUNKS_PER_BLOCK chunks are block-aligned: each
  // read is the part of one block the span needs, asked for in block order.
  const readBody = async (offset: number, length: number): Promise<Uint8Array> => {
    const index = Math.floor(offset / MAX_BLOCK_SIZE)
    const block = await abortable(window.take(index), init.signal)
    const at = offset - index * MAX_BLOCK_SIZE
    return block.subarray(at, at + length)
  }
  try {
    const windows = openWindows(cipher, readBody, manifest.contentLength, span, {
      window: CHUNKS_PER_BLOCK,
      ahead: decryptAhead,
      recycle: init.recycle === true,
      held: init.held ?? 0, // checked where it is used
      ...(cut === undefined ? {} : { cut: (part: Uint8Array) => cut.take(part) })
    })
    for await (const parts of windows) {
      for (const part of parts) {
        throwIfAborted(init.signal)
        yield part
      }
    }
    cut?.finish()
  } finally {
    controller.abort() // stop fetches still in flight when the reader stops early
    dispose()
  }
}
