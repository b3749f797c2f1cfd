import type { BlockId } from '../block/id.js'
import { OutOfRangeError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { paddedLength } from '../crypto/geometry.js'
import { decodeContinuation, decodeRoot, type FormatVersion, type ManifestPart } from './manifest.js'
import { verifiedSource, type BlockSource, type GetBlock } from '../block/source.js'
import { loadManifestBlock } from './manifest-block.js'
import type { FileInfo } from './manifest-fields.js'
import { abortable } from './abort.js'

/** Continuation lists kept decoded (a sequential read crosses at most one boundary at a time). */
const CACHED_PARTS = 2

/**
 * A file's decrypted manifest: its metadata, content header, and the ids of
 * its content blocks, fetched from continuation blocks on demand.
 */
export class OpenManifest {
  readonly root: BlockId
  readonly info: FileInfo
  readonly header: Uint8Array
  /** The root's format version (`MANIFEST_VERSION` for what this Cairn writes). */
  readonly version: FormatVersion
  /**
   * Plaintext bytes of the content message: `info.size` in format 1; in
   * format 2 the size with the last block padded to its class
   * (`paddedLength`). Readers stop at `info.size`.
   */
  readonly contentLength: number
  /** Content blocks. */
  readonly blocks: number
  readonly #inline: BlockId[] | undefined
  readonly #parts: ManifestPart[]
  /** First block index of each part, and a final entry equal to `blocks`. */
  readonly #starts: number[]
  readonly #cache = new Map<number, Promise<BlockId[]>>()
  readonly #key: Uint8Array
  readonly #blocks: BlockSource

  private constructor (root: BlockId, key: Uint8Array, blocks: BlockSource, bytes: Uint8Array) {
    const manifest = decodeRoot(bytes)
    this.root = root
    this.info = { name: manifest.name, type: manifest.type, size: manifest.size, mtime: manifest.mtime }
    this.header = manifest.header
    this.version = manifest.version
    this.contentLength = manifest.version === 1 ? manifest.size : paddedLength(manifest.size)
    this.#inline = manifest.blocks
    this.#parts = manifest.parts ?? []
    this.#starts = [0]
    for (const part of this.#parts) this.#starts.push((this.#starts.at(-1) ?? 0) + part.count)
    this.blocks = manifest.blocks?.length ?? this.#starts.at(-1) ?? 0
    this.#key = key
    this.#blocks = blocks
  }

  /** Fetch, verify and decrypt the root manifest block; continuations come from `source` too (each verified once). */
  static async open (root: BlockId, key: Uint8Array, source: BlockSource | GetBlock, options: AbortOptions = {}): Promise<OpenManifest> {
    const blocks = verifiedSource(source)
    const bytes = await loadManifestBlock(root, key, blocks, options)
    return new OpenManifest(root, key, blocks, bytes)
  }

  /** The id of content block `index`. */
  async blockId (index: number, options: AbortOptions = {}): Promise<BlockId> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.blocks) {
      throw new OutOfRangeError(`block index ${index} out of range`)
    }
    if (this.#inline !== undefined) return this.#inline[index] as BlockId
    const part = this.#partOf(index)
    const ids = await this.#loadPart(part, options)
    return ids[index - (this.#starts[part] as number)] as BlockId
  }

  #partOf (index: number): number {
    let low = 0
    let high = this.#parts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((this.#starts[mid] as number) <= index) low = mid
      else high = mid - 1
    }
    return low
  }

  async #loadPart (part: number, options: AbortOptions): Promise<BlockId[]> {
    let pending = this.#cache.get(part)
    if (pending === undefined) {
      const { id, count } = this.#parts[part] as ManifestPart
      // Shared by concurrent readers, so not tied to one reader's signal.
      pending = loadManifestBlock(id, this.#key, this.#blocks)
        .then(bytes => decodeContinuation(bytes, count, this.version))
      pending.catch(() => this.#cache.delete(part))
      this.#cache.set(part, pending)
      for (const key of this.#cache.keys()) {
        if (this.#cache.size <= CACHED_PARTS) break
        this.#cache.delete(key)
      }
    }
    return await abortable(pending, options.signal)
  }
}
