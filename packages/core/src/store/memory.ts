import { parseBlockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { NotFoundError, StorageFullError } from '../errors.js'
import { intoBuffer } from './into.js'
import type { AbortOptions, BlockStore, BlockStoreStats, StoreGetOptions, StorePutOptions } from './block-store.js'
import { blockKey as key } from './key.js'
import { checkRecord, copyRecord, mergeRecords } from './record.js'
import type { BlockRecord } from './record.js'

export interface MemoryBlockStoreInit {
  /** Quota in bytes of block data; a put past it throws `StorageFullError`. */
  maxStorage?: number
}

/**
 * Options of `get` and `put`. `immutable` is a promise from the caller that
 * lets the store skip its defensive copy: on `put`, the caller will never
 * modify `bytes` again, so the store may keep them; on `get`, the caller will
 * never modify the result, so the store may return the bytes it holds. The
 * file pipelines pass it (they never touch a block after `put`, nor a fetched
 * block); without it, bytes are copied in and out.
 */
export interface MemoryAccessOptions extends StorePutOptions, StoreGetOptions {
  immutable?: boolean
}

interface Entry {
  id: BlockId
  bytes: Uint8Array
  record: BlockRecord | undefined
}

/**
 * A `BlockStore` in a `Map`, for tests and short-lived nodes. Bytes are copied
 * in and out, so callers can neither corrupt the store nor see later changes,
 * unless they pass `{ immutable: true }` (see `MemoryAccessOptions`).
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

  async get (id: BlockId, options?: MemoryAccessOptions): Promise<Uint8Array> {
    const k = key(id)
    const entry = this.blocks.get(k)
    if (entry === undefined) throw new NotFoundError(`block ${k} not found`)
    if (options?.into !== undefined) {
      const out = intoBuffer(options.into, entry.bytes.length)
      out.set(entry.bytes)
      return out
    }
    return options?.immutable === true ? entry.bytes : entry.bytes.slice()
  }

  async put (id: BlockId, bytes: Uint8Array, options?: MemoryAccessOptions): Promise<void> {
    const k = key(id)
    const record = options?.record === undefined ? undefined : copyRecord(checkRecord(options.record))
    const held = this.blocks.get(k)
    if (held !== undefined) {
      if (record !== undefined) held.record = held.record === undefined ? record : mergeRecords(held.record, record)
      return
    }
    if (this.maxStorage !== undefined && this.bytes + bytes.length > this.maxStorage) {
      throw new StorageFullError(`block ${k}: store quota of ${this.maxStorage} bytes reached`)
    }
    const keep = options?.immutable === true && ownsWholeBuffer(bytes) ? bytes : bytes.slice()
    this.blocks.set(k, { id: parseBlockId(k), bytes: keep, record })
    this.bytes += bytes.length
  }

  async record (id: BlockId): Promise<BlockRecord | undefined> {
    const record = this.blocks.get(key(id))?.record
    return record === undefined ? undefined : copyRecord(record)
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

/** A view of a whole ArrayBuffer: keeping it pins no bytes beyond its own. */
function ownsWholeBuffer (bytes: Uint8Array): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
}
