/**
 * `BlockStore` in IndexedDB, on idb-keyval with its own database and object
 * store. Blocks live under `b/<cid>`, their records (core `store/record.ts`,
 * encoded) under `r/<cid>`, written in the same transaction; one `~stats` record, updated in the same
 * transaction as every put and delete, keeps `stats()` exact without a scan.
 *
 * Browser storage is a cache, never the only copy: the mesh replicates to hosts.
 * Blocks are hash-checked again on read. A write over the origin's quota aborts
 * its transaction with `QuotaExceededError`, surfaced as `StorageFullError`.
 */
import { promisifyRequest } from 'idb-keyval'
import type { UseStore } from 'idb-keyval'
import {
  blockKey,
  checkRecord,
  decodeRecord,
  encodeRecord,
  mergeRecords,
  NotFoundError,
  parseBlockId,
  StorageFullError,
  verifyBlock
} from '@cairn/core'
import type { BlockId, BlockRecord, BlockStore, BlockStoreStats, StorePutOptions } from '@cairn/core'
import { Persistence } from './persistence.js'
import { asStorageFull } from './quota.js'
import { yieldingStore } from './yielding-store.js'

export const DEFAULT_IDB_DATABASE = 'cairn-blocks'
export const IDB_OBJECT_STORE = 'blocks'

const PREFIX = 'b/'
const RECORD_PREFIX = 'r/'
const STATS_KEY = '~stats'
/** Every block key sorts between these. */
const BLOCK_RANGE = (): IDBKeyRange => IDBKeyRange.bound(PREFIX, `${PREFIX}\uffff`)

export interface IdbBlockStoreInit {
  /** Database name (default `cairn-blocks`); tests use a fresh one each. */
  database?: string
  /** A store-level quota in bytes, below the browser's own. */
  maxStorage?: number
  /** Ask the browser to keep this origin's storage under pressure (default true). */
  persist?: boolean
}

interface Totals { blocks: number, bytes: number }

export class IdbBlockStore implements BlockStore {
  /** Persistent storage (`navigator.storage.persist()`): granted, still asking, or best-effort. */
  persistence = new Persistence()
  /** Store-level quota in bytes (below the browser's own); may be changed at any time. */
  maxStorage: number | undefined
  private readonly use: UseStore

  private constructor (init: IdbBlockStoreInit) {
    this.use = yieldingStore(init.database ?? DEFAULT_IDB_DATABASE, IDB_OBJECT_STORE)
    this.maxStorage = init.maxStorage
  }

  /**
   * Open the store and, unless told not to, ask for persistent storage
   * (in the background: a browser may wait on its user to answer).
   */
  static async open (init: IdbBlockStoreInit = {}): Promise<IdbBlockStore> {
    const store = new IdbBlockStore(init)
    await store.totals()
    if (init.persist !== false) store.persistence = await Persistence.request()
    return store
  }

  async has (id: BlockId): Promise<boolean> {
    const k = PREFIX + blockKey(id)
    const found = await this.use('readonly', async os => promisifyRequest(os.getKey(k)))
    return found !== undefined
  }

  async get (id: BlockId): Promise<Uint8Array> {
    const k = blockKey(id)
    const value: unknown = await this.use('readonly', async os => promisifyRequest(os.get(PREFIX + k)))
    if (value === undefined) throw new NotFoundError(`block ${k} not found`)
    const bytes = value instanceof Uint8Array ? value : new Uint8Array(0)
    // Re-check what comes back from disk: storage can rot or be tampered with.
    await verifyBlock(parseBlockId(k), bytes)
    return bytes
  }

  async put (id: BlockId, bytes: Uint8Array, options: StorePutOptions = {}): Promise<void> {
    const k = blockKey(id)
    const record = options.record === undefined ? undefined : checkRecord(options.record)
    // A copy of exactly these bytes: the caller may reuse its buffer, and a
    // view would structured-clone its whole underlying ArrayBuffer.
    const copy = bytes.slice()
    await this.write(os => {
      const found = os.getKey(PREFIX + k)
      found.onsuccess = () => {
        if (found.result !== undefined) {
          if (record !== undefined) mergeRecordIn(os, k, record)
          return
        }
        updateTotals(os, 1, copy.length, this.maxStorage, () => {
          if (record !== undefined) os.put(encodeRecord(record), RECORD_PREFIX + k)
          os.put(copy, PREFIX + k)
        })
      }
    }, k)
  }

  /** The block's record; one that does not decode counts as none. */
  async record (id: BlockId): Promise<BlockRecord | undefined> {
    const k = blockKey(id)
    const [held, value] = await this.use('readonly', async os => await Promise.all([
      promisifyRequest(os.getKey(PREFIX + k)),
      promisifyRequest(os.get(RECORD_PREFIX + k)) as Promise<unknown>
    ]))
    return held === undefined ? undefined : asRecord(value)
  }

  async delete (id: BlockId): Promise<void> {
    const k = blockKey(id)
    await this.write(os => {
      const found = os.get(PREFIX + k)
      found.onsuccess = () => {
        if (!(found.result instanceof Uint8Array)) return
        const size = found.result.length
        updateTotals(os, -1, -size, undefined, () => {
          os.delete(PREFIX + k)
          os.delete(RECORD_PREFIX + k)
        })
      }
    }, k)
  }

  async * ids (): AsyncIterable<BlockId> {
    const keys = await this.use('readonly', async os => promisifyRequest(os.getAllKeys(BLOCK_RANGE())))
    for (const key of keys) {
      if (typeof key === 'string') yield parseBlockId(key.slice(PREFIX.length))
    }
  }

  async stats (): Promise<BlockStoreStats> {
    const totals = await this.totals()
    const stats: BlockStoreStats = { blocks: totals.blocks, bytes: totals.bytes }
    if (this.maxStorage !== undefined) stats.capacity = this.maxStorage
    return stats
  }

  /** Close the database connection; later calls reopen it. */
  async close (): Promise<void> {
    await this.use('readonly', os => { os.transaction.db.close() })
  }

  private async totals (): Promise<Totals> {
    const value: unknown = await this.use('readonly', async os => promisifyRequest(os.get(STATS_KEY)))
    return asTotals(value)
  }

  /** Run `body` in a readwrite transaction and wait until it commits. */
  private async write (body: (os: IDBObjectStore) => void, key: string): Promise<void> {
    try {
      await this.use('readwrite', async os => {
        body(os)
        await promisifyRequest(os.transaction)
      })
    } catch (cause) {
      // Only `updateTotals` aborts explicitly, which rejects with a null error.
      if (cause === null) throw new StorageFullError(`block ${key}: over this tab's storage limit`)
      throw asStorageFull(cause, `block ${key}`)
    }
  }
}

/** Adjust the `~stats` record, then run `then` in the same transaction. */
function updateTotals (os: IDBObjectStore, blocks: number, bytes: number,
  maxStorage: number | undefined, then: () => void): void {
  const req = os.get(STATS_KEY)
  req.onsuccess = () => {
    const totals = asTotals(req.result)
    if (maxStorage !== undefined && bytes > 0 && totals.bytes + bytes > maxStorage) {
      // Aborting rejects the transaction with a null error; `write` maps that.
      os.transaction.abort()
      return
    }
    os.put({ blocks: totals.blocks + blocks, bytes: totals.bytes + bytes }, STATS_KEY)
    then()
  }
}

/** Merge `record` into the one held for block `k`, in this transaction. */
function mergeRecordIn (os: IDBObjectStore, k: string, record: BlockRecord): void {
  const req = os.get(RECORD_PREFIX + k)
  req.onsuccess = () => {
    const held = asRecord(req.result)
    os.put(encodeRecord(held === undefined ? record : mergeRecords(held, record)), RECORD_PREFIX + k)
  }
}

function asRecord (value: unknown): BlockRecord | undefined {
  if (!(value instanceof Uint8Array)) return undefined
  try {
    return decodeRecord(value)
  } catch {
    return undefined
  }
}

function asTotals (value: unknown): Totals {
  if (typeof value === 'object' && value !== null) {
    const { blocks, bytes } = value as Partial<Totals>
    if (typeof blocks === 'number' && typeof bytes === 'number') return { blocks, bytes }
  }
  return { blocks: 0, bytes: 0 }
}
