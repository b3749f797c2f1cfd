import { blockId, type BlockId } from '../block/id.js'
import { ChunkCipher, SALT_SIZE } from '../crypto/index.js'
import { InvalidKeyError } from '../errors.js'
import { abortable, throwIfAborted } from './abort.js'
import { PlaintextBlocks, sealBlock } from './block-source.js'
import { CONTENT_CONTEXT } from './contexts.js'
import { FILE_KEY_BYTES, formatLink } from '../address/link.js'
import { DEFAULT_MEDIA_TYPE, validateMtime, validateName, validateType } from './manifest-fields.js'
import { ManifestWriter } from './manifest-writer.js'
import { PutQueue, type BlockSink } from './put-queue.js'

/** Puts in flight while adding a file. */
export const DEFAULT_PUT_CONCURRENCY = 8

export interface FileMeta {
  name: string
  /** Media type; defaults to `application/octet-stream`. */
  type?: string
  /** Modification time in ms since the epoch; defaults to now. */
  mtime?: number
}

export interface AddInit {
  /** Puts in flight at once (default `DEFAULT_PUT_CONCURRENCY`). */
  concurrency?: number
  /** Called with the plaintext bytes read so far, once per block. */
  onProgress?: (bytesIn: number) => void
  signal?: AbortSignal
  /**
   * Resume an interrupted add of the SAME plaintext: its 16-byte file key
   * and 24-byte content salt (both or neither; default fresh random ones).
   * The same key, salt and plaintext seal the very same blocks and root.
   * Never pass a pair that sealed different plaintext: that reuses AES-GCM
   * nonces, which leaks plaintext and allows forgeries.
   */
  resume?: { key: Uint8Array, salt: Uint8Array }
}

export interface AddResult {
  root: BlockId
  /** The 16-byte file key (fresh, unless resumed). */
  key: Uint8Array
  /** `<root>.<key>` */
  link: string
  /** Plaintext bytes. */
  size: number
  /** Content blocks (manifest blocks not counted). */
  blocks: number
  /** Continuation manifest blocks (0 for files up to ~24 GiB). */
  manifestBlocks: number
  /** Lowest durable copy count over all blocks, when the sink reports copies. */
  replicas?: number
}

const CONTENT = new TextEncoder().encode(CONTENT_CONTEXT)

/**
 * Encrypt `source` under a fresh key, store its blocks through `sink` (at most
 * `concurrency` puts in flight), then its manifest, the root last, once every
 * other block is stored. Memory stays at a few blocks whatever the size.
 * Chunks are sealed from views of the source's pieces: a source must not
 * modify a piece after yielding it.
 * Fails as a whole: the result is only returned once the root is stored.
 */
export async function addFile (
  source: AsyncIterable<Uint8Array>, meta: FileMeta, sink: BlockSink, init: AddInit = {}
): Promise<AddResult> {
  const name = validateName(meta.name)
  const type = validateType(meta.type === undefined || meta.type === '' ? DEFAULT_MEDIA_TYPE : meta.type)
  const mtime = validateMtime(meta.mtime ?? Date.now())
  throwIfAborted(init.signal)
  const key = init.resume?.key ?? crypto.getRandomValues(new Uint8Array(FILE_KEY_BYTES))
  if (key.length !== FILE_KEY_BYTES) throw new InvalidKeyError(`file key must be ${FILE_KEY_BYTES} bytes`)
  const { cipher, header } = await ChunkCipher.create(key, CONTENT, init.resume === undefined ? {} : { salt: init.resume.salt })
  const puts = new PutQueue(sink, init.concurrency ?? DEFAULT_PUT_CONCURRENCY, init.signal)
  const manifest = new ManifestWriter(key, header.subarray(0, SALT_SIZE), async block => await puts.put(block.id, block.bytes))
  const plaintext = new PlaintextBlocks(source)
  try {
    const blocks = await storeBlocks(cipher, plaintext, puts, manifest, init)
    const root = await manifest.finish({ name, type, size: plaintext.total, mtime }, header)
    await puts.drain()
    await puts.put(root.id, root.bytes)
    await puts.drain()
    const result: AddResult = {
      root: root.id, key, link: formatLink(root.id, key), size: plaintext.total, blocks, manifestBlocks: manifest.continuations
    }
    if (puts.minCopies !== undefined) result.replicas = puts.minCopies
    return result
  } catch (error) {
    puts.close(error)
    // Not awaited: a stalled source must not delay the failure. A failure to
    // close it is secondary to `error`, which the caller gets.
    plaintext.close().catch(() => {})
    throw error
  } finally {
    puts.close()
  }
}

/** Blocks read and being sealed and hashed ahead of the one being put. */
const SEAL_AHEAD = 3

interface Sealed { id: BlockId, block: Uint8Array, plaintext: number }

/** Seal block `index` (holding `plaintext` bytes of the file, padding aside) and hash it: both off the main thread, so several blocks may be in progress. */
async function sealAndName (cipher: ChunkCipher, index: number, chunks: Uint8Array[], plaintext: number): Promise<Sealed> {
  const block = await sealBlock(cipher, index, chunks)
  return { id: await blockId(block), block, plaintext }
}

/**
 * Read, seal, hash and put every content block, in order. Up to `SEAL_AHEAD`
 * blocks are sealing and hashing at once, so Web Crypto's threads never
 * drain at a block boundary; a block is put as soon as it is the oldest and
 * done, before more of the source is read.
 */
async function storeBlocks (
  cipher: ChunkCipher, plaintext: PlaintextBlocks, puts: PutQueue, manifest: ManifestWriter, init: AddInit
): Promise<number> {
  const window: Array<{ pending: Promise<Sealed>, done: boolean }> = []
  let read = 0
  let ended = false
  for (let stored = 0; ;) {
    const head = window[0]
    if (head !== undefined && (ended || head.done || window.length >= SEAL_AHEAD)) {
      window.shift()
      const { id, block, plaintext } = await abortable(head.pending, init.signal)
      throwIfAborted(init.signal)
      await puts.put(id, block, plaintext)
      await manifest.add(id)
      if (++stored === read && ended) return stored
      continue
    }
    const { chunks, last, bytes } = await abortable(plaintext.next(), init.signal)
    init.onProgress?.(plaintext.total)
    const slot = { pending: sealAndName(cipher, read++, chunks, bytes), done: false }
    const settle = (): void => { slot.done = true }
    slot.pending.then(settle, settle) // also marks it handled if we stop first
    window.push(slot)
    ended = last
  }
}
