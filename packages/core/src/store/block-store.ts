import type { BlockId } from '../block/id.js'
import type { BlockRecord } from './record.js'

export interface BlockStoreStats {
  /** Number of blocks held. */
  blocks: number
  /** Bytes of block data held. */
  bytes: number
  /** The quota in bytes, if the store has one. */
  capacity?: number
}

export interface AbortOptions {
  signal?: AbortSignal
}

export interface StorePutOptions extends AbortOptions {
  /**
   * The block's record (replica target, expiry, owner tag). Stored with the
   * block, crash-safe like it; a put of a block already held merges the two
   * records (`mergeRecords`: the most durable wins) and keeps the bytes.
   */
  record?: BlockRecord
}

export interface StoreGetOptions extends AbortOptions {
  /**
   * Where the bytes go: called once with the block's length, returns a buffer
   * of exactly that length for the store to read the block into (a frame the
   * caller sends as is, `wire/block-frame.ts`); `get` then returns that
   * buffer. A store may ignore it and return bytes of its own: callers check.
   */
  into?: (length: number) => Uint8Array
}

/**
 * Where blocks live. Callers hash-verify bytes before `put` (the mesh verifies
 * every block it receives); stores that read from media that can rot (disk)
 * verify again on `get`.
 */
export interface BlockStore {
  has (id: BlockId, options?: AbortOptions): Promise<boolean>
  /** The block's bytes; throws `NotFoundError` if absent, `IntegrityError` if corrupt. */
  get (id: BlockId, options?: StoreGetOptions): Promise<Uint8Array>
  /** Store durably. Idempotent. Throws `StorageFullError` when over quota or out of space. */
  put (id: BlockId, bytes: Uint8Array, options?: StorePutOptions): Promise<void>
  /** The record kept with the block; undefined if the block is absent or was stored without one. */
  record (id: BlockId, options?: AbortOptions): Promise<BlockRecord | undefined>
  /** Remove the block and its record; no error if absent. */
  delete (id: BlockId, options?: AbortOptions): Promise<void>
  ids (options?: AbortOptions): AsyncIterable<BlockId>
  stats (): Promise<BlockStoreStats>
  close? (): Promise<void>
}
