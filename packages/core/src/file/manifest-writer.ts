import { blockId, type BlockId } from '../block/id.js'
import { ManifestError } from '../errors.js'
import { paddedBlockCount } from '../crypto/geometry.js'
import { encodeContinuation, encodeRoot, MAX_LIST_BLOCKS, type ManifestPart } from './manifest.js'
import { manifestSalt, sealManifestBlock } from './manifest-block.js'
import type { FileInfo } from './manifest-fields.js'

export interface SealedBlock {
  id: BlockId
  bytes: Uint8Array
}

/**
 * Collects a file's block ids as they are produced. Whenever `MAX_LIST_BLOCKS`
 * ids are pending and another arrives, they are sealed into a continuation
 * block and handed to `store`, so at most one list's worth of ids is held
 * whatever the file size. `finish` seals the root, which the caller stores last.
 */
export class ManifestWriter {
  readonly #key: Uint8Array
  readonly #contentSalt: Uint8Array
  readonly #store: (block: SealedBlock) => Promise<void>
  #pending: BlockId[] = []
  readonly #parts: ManifestPart[] = []
  #count = 0

  /** `contentSalt`: the content message's salt, from which every manifest block's salt is derived. */
  constructor (key: Uint8Array, contentSalt: Uint8Array, store: (block: SealedBlock) => Promise<void>) {
    this.#key = key
    this.#contentSalt = contentSalt
    this.#store = store
  }

  /** Continuation blocks written so far. */
  get continuations (): number {
    return this.#parts.length
  }

  async add (id: BlockId): Promise<void> {
    if (this.#pending.length === MAX_LIST_BLOCKS) await this.#flush()
    this.#pending.push(id)
    this.#count++
  }

  async finish (info: FileInfo, header: Uint8Array): Promise<SealedBlock> {
    if (this.#count !== paddedBlockCount(info.size)) {
      throw new ManifestError(`manifest: ${this.#count} blocks written, size implies ${paddedBlockCount(info.size)}`)
    }
    if (this.#parts.length > 0) await this.#flush()
    const list = this.#parts.length > 0 ? { parts: this.#parts } : { blocks: this.#pending }
    return await this.#seal(encodeRoot({ ...info, header, ...list }))
  }

  async #flush (): Promise<void> {
    const block = await this.#seal(encodeContinuation(this.#pending))
    this.#parts.push({ id: block.id, count: this.#pending.length })
    this.#pending = []
    await this.#store(block)
  }

  /** Seal the next manifest block (continuations in order, the root last). */
  async #seal (plaintext: Uint8Array): Promise<SealedBlock> {
    const bytes = await sealManifestBlock(this.#key, plaintext, await manifestSalt(this.#key, this.#contentSalt, this.#parts.length))
    return { id: await blockId(bytes), bytes }
  }
}
