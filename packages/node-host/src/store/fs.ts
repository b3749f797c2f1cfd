import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  IntegrityError, NotFoundError, StorageFullError, blockKey, intoBuffer, checkRecord, decodeRecord, encodeRecord, mergeRecords, parseBlockId, sameRecord, verifyBlock
} from '@cairn/core'
import type { AbortOptions, BlockId, BlockRecord, BlockStore, BlockStoreStats, StoreGetOptions, StorePutOptions } from '@cairn/core'
import { QUARANTINE_DIR, blockPath, quarantinePath, recordPath, shardOf, tempPath } from './fs-layout.js'
import { blockNames, scanStore, shardNames } from './fs-scan.js'
import { syncDir, writeAtomic } from './fs-write.js'
import { KeyedMutex } from './keyed-mutex.js'
import { RecordCache } from './record-cache.js'
import { nodeCryptoProvider } from '../crypto/node-provider.js'
import { MAX_BLOCK_SIZE } from '@cairn/core/crypto'

export interface FsBlockStoreInit {
  /** Quota in bytes of block data; a put past it throws `StorageFullError` before writing. */
  maxStorage?: number
  /** Called once a corrupt block has been moved to `quarantine/`. */
  onCorrupt?: (cid: string, error: IntegrityError) => void
  /** fsync files and directories (default true). Only throwaway stores should turn it off. */
  durable?: boolean
}

export interface FsckResult {
  /** Blocks re-hashed. */
  checked: number
  /** Ids of blocks that failed and were quarantined. */
  corrupt: string[]
}

export interface FsckOptions extends AbortOptions {
  onProgress?: (checked: number) => void
}

/**
 * Blocks as files in sharded directories (layout in `fs-layout.ts`).
 * Writes go to a temp file, are flushed, then renamed: never a half-written
 * block under a final name. A block's record is a file next to it, written
 * the same way and before the block, so a block under its final name has its
 * record (a record left without its block is removed at open). Every read is re-hashed; a corrupt block moves to
 * `quarantine/` and the read throws `IntegrityError`. Block count and bytes
 * are counted at open and kept in memory, and so are the latest records read
 * or written (`record-cache.ts`: the store is their only writer).
 */
export class FsBlockStore implements BlockStore {
  readonly dir: string
  private readonly init: FsBlockStoreInit
  private readonly locks = new KeyedMutex()
  private readonly records = new RecordCache()
  private readonly shards: Set<string>
  private blocks: number
  private bytes: number
  /** Bytes of puts in progress, held against the quota. */
  private reserved = 0

  static async open (dir: string, init: FsBlockStoreInit = {}): Promise<FsBlockStore> {
    const root = resolve(dir)
    await mkdir(join(root, QUARANTINE_DIR), { recursive: true })
    const scan = await scanStore(root)
    return new FsBlockStore(root, init, scan)
  }

  private constructor (root: string, init: FsBlockStoreInit, scan: { blocks: number, bytes: number, shards: Set<string> }) {
    this.dir = root
    this.init = init
    this.blocks = scan.blocks
    this.bytes = scan.bytes
    this.shards = scan.shards
  }

  async has (id: BlockId): Promise<boolean> {
    return (await this.sizeOf(blockPath(this.dir, blockKey(id)))) !== undefined
  }

  /** Re-hashed on every read; with `into`, read straight into the caller's buffer (one read, no copy). */
  async get (id: BlockId, options: StoreGetOptions = {}): Promise<Uint8Array> {
    const key = blockKey(id)
    const bytes = await this.read(key, options.into)
    if ((await this.check(key, bytes)) === undefined) return bytes
    return this.quarantine(key)
  }

  async put (id: BlockId, bytes: Uint8Array, options: StorePutOptions = {}): Promise<void> {
    const key = blockKey(id)
    const record = options.record === undefined ? undefined : checkRecord(options.record)
    await this.locks.run(key, async () => {
      const path = blockPath(this.dir, key)
      if ((await this.sizeOf(path)) !== undefined) {
        if (record !== undefined) await this.mergeRecord(key, record)
        return
      }
      this.reserve(key, bytes.length)
      try {
        await this.ensureShard(shardOf(key))
        if (record !== undefined) await this.writeRecord(key, record)
        try {
          await writeAtomic(tempPath(this.dir, key), path, bytes, this.durable)
        } catch (err) {
          // No record without its block (a crash here leaves one: removed at the next open).
          if (record !== undefined) {
            await rm(recordPath(this.dir, key), { force: true }).catch(() => {})
            this.records.forget(key)
          }
          throw err
        }
        this.blocks++
        this.bytes += bytes.length
      } finally {
        this.reserved -= bytes.length
      }
      if (this.durable) await syncDir(join(this.dir, shardOf(key)))
    })
  }

  /**
   * The block's record. A record file that does not decode (rot, tampering)
   * counts as none: the block is kept as the host's default, never dropped.
   */
  async record (id: BlockId): Promise<BlockRecord | undefined> {
    // No stat of the block: a record outlives its block only until the next open (crash leftovers).
    return await this.readRecord(blockKey(id))
  }

  async delete (id: BlockId): Promise<void> {
    const key = blockKey(id)
    await this.locks.run(key, async () => {
      const path = blockPath(this.dir, key)
      const size = await this.sizeOf(path)
      if (size === undefined) return
      try {
        await unlink(path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
        throw err
      }
      this.blocks--
      this.bytes -= size
      try {
        await rm(recordPath(this.dir, key), { force: true })
      } finally {
        // After the removal: a read that overlapped it is not remembered either.
        this.records.forget(key)
      }
    })
  }

  async * ids (options: AbortOptions = {}): AsyncIterable<BlockId> {
    for (const shard of await shardNames(this.dir)) {
      options.signal?.throwIfAborted()
      for (const name of await blockNames(this.dir, shard)) {
        options.signal?.throwIfAborted()
        yield parseBlockId(name)
      }
    }
  }

  async stats (): Promise<BlockStoreStats> {
    const stats: BlockStoreStats = { blocks: this.blocks, bytes: this.bytes }
    if (this.init.maxStorage !== undefined) stats.capacity = this.init.maxStorage
    return stats
  }

  /** Re-hash every block; corrupt ones are quarantined (and reported to `onCorrupt`). */
  async fsck (options: FsckOptions = {}): Promise<FsckResult> {
    const result: FsckResult = { checked: 0, corrupt: [] }
    for await (const id of this.ids(options)) {
      try {
        await this.get(id)
        result.checked++
      } catch (err) {
        if (err instanceof NotFoundError) continue
        if (!(err instanceof IntegrityError)) throw err
        result.checked++
        result.corrupt.push(id.toString())
      }
      options.onProgress?.(result.checked)
    }
    return result
  }

  /** Waits for writes in progress. The store needs no other cleanup. */
  async close (): Promise<void> {
    await this.locks.idle()
  }

  private get durable (): boolean {
    return this.init.durable ?? true
  }

  private async readRecord (key: string): Promise<BlockRecord | undefined> {
    const cached = this.records.get(key)
    if (cached !== undefined) return cached ?? undefined
    const generation = this.records.generation
    let bytes: Buffer
    try {
      bytes = await readFile(recordPath(this.dir, key))
    } catch (err) {
      // Not remembered: a want or probe of a block not held would only crowd out held ones.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    let record: BlockRecord | undefined
    try {
      record = decodeRecord(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    } catch {
      record = undefined
    }
    this.records.remember(key, record ?? null, generation)
    return record
  }

  private async writeRecord (key: string, record: BlockRecord): Promise<void> {
    try {
      await writeAtomic(tempPath(this.dir, key), recordPath(this.dir, key), encodeRecord(record), this.durable)
    } catch (err) {
      this.records.forget(key)
      throw err
    }
    this.records.set(key, record)
  }

  /** Merge `record` into a held block's (under its lock); written only if it changed. */
  private async mergeRecord (key: string, record: BlockRecord): Promise<void> {
    const held = await this.readRecord(key)
    const merged = held === undefined ? record : mergeRecords(held, record)
    if (held !== undefined && sameRecord(held, merged)) return
    await this.writeRecord(key, merged)
    if (this.durable) await syncDir(join(this.dir, shardOf(key)))
  }

  private reserve (key: string, size: number): void {
    const max = this.init.maxStorage
    if (max !== undefined && this.bytes + this.reserved + size > max) {
      throw new StorageFullError(`block ${key}: store quota of ${max} bytes reached`)
    }
    this.reserved += size
  }

  /**
   * The block file's bytes, in a buffer of `into`'s when given (else a fresh
   * one): one open, fstat, read of the whole file and close. A file that
   * reads shorter than its size (it cannot change under its final name)
   * comes back short, and fails its hash check.
   */
  private async read (key: string, into?: (length: number) => Uint8Array): Promise<Uint8Array> {
    let fh: FileHandle
    try {
      fh = await open(blockPath(this.dir, key), 'r')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`block ${key} not found`, { cause: err })
      throw err
    }
    try {
      const { size } = await fh.stat()
      // No block is larger: a bigger file is not one (rot, a stray file), read as nothing,
      // so it fails its hash check and is quarantined without allocating its size.
      if (size > MAX_BLOCK_SIZE) return new Uint8Array(0)
      const buffer = into === undefined ? new Uint8Array(size) : intoBuffer(into, size)
      let filled = 0
      while (filled < size) {
        const { bytesRead } = await fh.read(buffer, filled, size - filled, filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      return filled === size ? buffer : buffer.subarray(0, filled)
    } finally {
      // A read-only handle: failing to close it loses nothing, and must not replace the read's own error.
      await fh.close().catch(() => {})
    }
  }

  /** The hash mismatch, if `bytes` are not the block `key`. */
  private async check (key: string, bytes: Uint8Array): Promise<IntegrityError | undefined> {
    try {
      await verifyBlock(parseBlockId(key), bytes, nodeCryptoProvider)
      return undefined
    } catch (err) {
      if (err instanceof IntegrityError) return err
      throw err
    }
  }

  /**
   * Move a block that failed its hash check out of the way, then throw. Under
   * the block's lock it is read and checked again, so a block replaced since
   * the failed read is returned, never quarantined by mistake.
   */
  private async quarantine (key: string): Promise<Uint8Array> {
    const outcome = await this.locks.run(key, async () => {
      const bytes = await this.read(key)
      const mismatch = await this.check(key, bytes)
      if (mismatch === undefined) return bytes
      await rename(blockPath(this.dir, key), quarantinePath(this.dir, key))
      this.blocks--
      this.bytes -= bytes.length
      return mismatch
    })
    if (outcome instanceof Uint8Array) return outcome
    const error = new IntegrityError(`block ${key}: corrupt on disk, moved to ${QUARANTINE_DIR}/`, { cause: outcome })
    this.init.onCorrupt?.(key, error)
    throw error
  }

  private async sizeOf (path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).size
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  private async ensureShard (shard: string): Promise<void> {
    if (this.shards.has(shard)) return
    await mkdir(join(this.dir, shard), { recursive: true })
    if (this.durable) await syncDir(this.dir)
    this.shards.add(shard)
  }
}
