/**
 * Where the read pipelines get blocks, and who hashes them. A block is
 * hashed against its id exactly once on its way to a reader: by the mesh
 * when it comes from the mesh (`Mesh.blockSource()`, marked verified here),
 * else by the wrapper `verifiedSource` puts around any other source (a raw
 * `BlockStore`, a function). Callers never choose: only core marks a source.
 */
import type { AbortOptions } from '../store/block-store.js'
import { verifyBlock, type BlockId } from './id.js'

export interface GetBlockOptions extends AbortOptions {
  /**
   * Always true from the read pipelines: they only read a fetched block
   * (verify, decrypt), never modify or hand it out, so a source over a store
   * that copies on `get` may pass this on to skip the copy
   * (`MemoryBlockStore` takes the same option).
   */
  immutable?: boolean
}

/** Fetches a block by id. */
export type GetBlock = (id: BlockId, options?: GetBlockOptions) => Promise<Uint8Array>

/** Where `openFile`/`readFile` fetch blocks. A `BlockStore` is one; so is `Mesh.blockSource()`. */
export interface BlockSource {
  get (id: BlockId, options?: GetBlockOptions): Promise<Uint8Array>
}

const verifying = new WeakSet<BlockSource>()

/**
 * Core only (not exported from the package): `source` returns only bytes it
 * has hashed against their id, so `verifiedSource` takes it as it is.
 */
export function markVerified<T extends BlockSource> (source: T): T {
  verifying.add(source)
  return source
}

/**
 * `source` as one that returns only blocks whose bytes hash to their id:
 * itself if core marked it so, else a wrapper that hashes each block it
 * returns (`IntegrityError` on a mismatch). Idempotent.
 */
export function verifiedSource (source: BlockSource | GetBlock): BlockSource {
  if (typeof source !== 'function' && verifying.has(source)) return source
  const get: GetBlock = typeof source === 'function' ? source : async (id, options) => await source.get(id, options)
  return markVerified({
    async get (id: BlockId, options?: GetBlockOptions): Promise<Uint8Array> {
      const bytes = await get(id, options)
      await verifyBlock(id, bytes)
      return bytes
    }
  })
}
