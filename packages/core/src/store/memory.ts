import { parseBlockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { NotFoundError, StorageFullError } from '../errors.js'
import type { BlockStore, BlockStoreStats } from './block-store.js'
import { blockKey as key } from './key.js'

export interface MemoryBlockStoreInit {
  /** Quota in bytes of block data; a put past it throws `StorageFullError`. */
  maxStorage?: number
}

interface Entry {
  id: BlockId
  bytes: Uint8Array
}

/**
 * A `BlockStore` in a `Map`, for tests and short-lived nodes. Bytes are copied
 * in and out, so callers can neither corrupt the store nor see later changes.
 */
export class MemoryBlockStore implements BlockStore {
  private readonly blocks = new Map<string, Entry>()
  private bytes = 0
  private readonly maxStorage: number | undefined

  constructor (init: MemoryBlockStoreInit = {}) {
    this.maxStorage = init.maxStorage
  }

  async has (id: BlockId): Promise<boolean> {
    return this.blocks.has(key(id))
  }

  async get (id: BlockId): Promise<Uint8Array> {
    const k = key(id)
    const entry = this.blocks.get(k)
    if (entry === undefined) throw new NotFoundError(`block ${k} not found`)
    return entry.bytes.slice()
  }

  async put (id: BlockId, bytes: Uint8Array): Promise<void> {
    const k = key(id)
    if (this.blocks.has(k)) return
    if (this.maxStorage !== undefined && this.bytes + bytes.length > this.maxStorage) {
      throw new StorageFullError(`block ${k}: store quota of ${this.maxStorage} bytes reached`)
    }
    this.blocks.set(k, { id: parseBlockId(k), bytes: bytes.slice() })
    this.bytes += bytes.length
  }

  async delete (id: BlockId): Promise<void> {
    const k = key(id)
    const entry = this.blocks.get(k)
    if (entry === undefined) return
    this.blocks.delete(k)
    this.bytes -= entry.bytes.length
  }

  async * ids (): AsyncIterable<BlockId> {
    // Iterate a snapshot: deleting while iterating must not skip or repeat.
    for (const [k, entry] of [...this.blocks]) {
      if (this.blocks.has(k)) yield entry.id
    }
  }

  async stats (): Promise<BlockStoreStats> {
    const stats: BlockStoreStats = { blocks: this.blocks.size, bytes: this.bytes }
    if (this.maxStorage !== undefined) stats.capacity = this.maxStorage
    return stats
  }
}
