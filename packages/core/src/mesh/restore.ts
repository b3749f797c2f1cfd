import type { BlockId } from '../block/id.js'
import type { BlockRecord } from '../store/record.js'
import type { NodeContext } from './context.js'
import type { Fetcher } from './fetch.js'

/** What a restore tells the repair that owns it. */
export interface RestoreHooks {
  /** A drop or a fetch-back failed (counted as a `restore` background failure). */
  failed: (err: unknown) => void
  /** `cid` was dropped: it counts as lost until it is back. */
  dropped: (cid: BlockId) => void
  /** A restore brought its block back (a pass may have counted it lost meanwhile). */
  restored: () => void
}

/**
 * Blocks this node's store found corrupt: each is dropped and fetched back from
 * peers (`block:restored`), with the record it had. One that cannot be fetched
 * now stays `lost` (under R) and every repair pass tries again; a second report
 * while a restore is under way joins it, and a pass leaves such a block to it.
 */
export class Restorer {
  /** Blocks dropped as corrupt and not yet fetched back, with the record they had. */
  private readonly lost = new Map<string, { cid: BlockId, record: BlockRecord | undefined }>()
  /** Restores under way, by block id. */
  private readonly restoring = new Map<string, Promise<void>>()

  constructor (private readonly ctx: NodeContext, private readonly fetcher: Fetcher, private readonly hooks: RestoreHooks) {}

  /** Blocks dropped and not yet back. */
  get lostCount (): number {
    return this.lost.size
  }

  /** Drop `cid` and fetch it back. Never rejects (a failure is counted; passes retry). */
  async restore (cid: BlockId): Promise<void> {
    const key = cid.toString()
    const pending = this.restoring.get(key)
    if (pending !== undefined) return await pending
    const restored = this.dropAndRefetch(cid).finally(() => { this.restoring.delete(key) })
    this.restoring.set(key, restored)
    await restored
  }

  /** The restore of `cid` under way, if any (an audit of a block found rotten waits for it). */
  restoreOf (cid: BlockId): Promise<void> | undefined {
    return this.restoring.get(cid.toString())
  }

  /** A repair pass tries the lost blocks again, except those a restore is fetching already. */
  async retryLost (signal: AbortSignal): Promise<void> {
    for (const [key, { cid, record }] of [...this.lost]) {
      if (!this.restoring.has(key)) await this.refetch(cid, record, signal).catch(this.hooks.failed)
    }
  }

  private async dropAndRefetch (cid: BlockId): Promise<void> {
    const store = this.ctx.store
    if (store === undefined) return
    const record = await store.record(cid).catch(() => undefined)
    await store.delete(cid).catch(this.hooks.failed)
    this.hooks.dropped(cid)
    this.lost.set(cid.toString(), { cid, record })
    try {
      await this.refetch(cid, record)
    } catch (err) {
      this.hooks.failed(err)
      return
    }
    this.hooks.restored()
  }

  private async refetch (cid: BlockId, record: BlockRecord | undefined, signal?: AbortSignal): Promise<void> {
    const bytes = await this.fetcher.fetch(cid, signal === undefined ? {} : { signal })
    await this.ctx.store!.put(cid, bytes, record === undefined ? {} : { record })
    this.lost.delete(cid.toString())
    // Held again: counted by the next pass for new blocks (and announced, and kept from GC a while).
    this.ctx.held(cid)
    this.ctx.dispatch('block:restored', { cid: cid.toString() })
  }
}
