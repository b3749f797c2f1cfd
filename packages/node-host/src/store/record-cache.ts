import { copyRecord } from '@cairn/core'
import type { BlockRecord } from '@cairn/core'

/** Records remembered by default: ~8 GiB of 1 MiB blocks, a few MB of memory. */
export const RECORD_CACHE_SIZE = 8192

/** What a record file held when last read or written: a record, or none (absent or undecodable). */
export type CachedRecord = BlockRecord | null

/**
 * The latest records an `FsBlockStore` read or wrote, by block key, so that
 * serving a block, answering a probe and a repair pass's assessment do not
 * each read the record file again (an open, fstat, read and close on the fs
 * pool per block: ~10% of a serving host's main thread, issue 12). Coherent
 * because the store is the only writer of its record files: every write and
 * delete goes through `set`/`forget`. A read that overlapped a write is not
 * remembered (`generation`), so it cannot put back what the write replaced.
 * Records go in and out as copies: a caller cannot change a cached one, and
 * an owner tag that was a view into a wire frame does not pin the frame.
 * The latest `size` keys are kept, the least recently used forgotten first.
 */
export class RecordCache {
  private readonly entries = new Map<string, CachedRecord>()
  private writes = 0

  constructor (private readonly size = RECORD_CACHE_SIZE) {}

  /** Taken before reading a record file; pass it to `remember` after. */
  get generation (): number {
    return this.writes
  }

  /** The cached record (`null`: none), or `undefined` if not cached. */
  get (key: string): CachedRecord | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry === null ? null : copyRecord(entry)
  }

  /** What a read found, unless a write or delete happened since `generation`. */
  remember (key: string, record: CachedRecord, generation: number): void {
    if (generation !== this.writes) return
    this.put(key, record)
  }

  /** A record was written (`null`: removed). */
  set (key: string, record: CachedRecord): void {
    this.writes++
    this.put(key, record)
  }

  /** The record file's state is unknown (a failed write): read it again next time. */
  forget (key: string): void {
    this.writes++
    this.entries.delete(key)
  }

  private put (key: string, record: CachedRecord): void {
    this.entries.delete(key)
    this.entries.set(key, record === null ? null : copyRecord(record))
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string)
  }
}
