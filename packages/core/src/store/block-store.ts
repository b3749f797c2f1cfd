import type { BlockId } from '../block/id.js'

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

/**
 * Where blocks live. Callers hash-verify bytes before `put` (the mesh verifies
 * every block it receives); stores that read from media that can rot (disk)
 * verify again on `get`.
 */
export interface BlockStore {
  has (id: BlockId, options?: AbortOptions): Promise<boolean>
  /** The block's bytes; throws `NotFoundError` if absent, `IntegrityError` if corrupt. */
  get (id: BlockId, options?: AbortOptions): Promise<Uint8Array>
  /** Store durably. Idempotent. Throws `StorageFullError` when over quota or out of space. */
  put (id: BlockId, bytes: Uint8Array, options?: AbortOptions): Promise<void>
  /** Remove; no error if absent. */
  delete (id: BlockId, options?: AbortOptions): Promise<void>
  ids (options?: AbortOptions): AsyncIterable<BlockId>
  stats (): Promise<BlockStoreStats>
  close? (): Promise<void>
}
