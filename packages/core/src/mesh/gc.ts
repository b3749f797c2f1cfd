import type { BlockId } from '../block/id.js'
import { AbortError, IntegrityError, NotFoundError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { isExpired } from '../store/record.js'
import type { BlockRecord } from '../store/record.js'
import type { NodeContext, StoringHost } from './context.js'
import { openHosts, probeHolder } from './context.js'
import { placeBlock, rankPeers } from './placement.js'

/*
 * Garbage collection (hosts with a store). A periodic pass walks the held
 * blocks and reclaims:
 * - expired blocks (their record's expiry has passed: nobody may read them);
 * - deleted blocks (`isDeleted`: the owner removed the file; see tombstones);
 * - surplus copies: this host is not one of the block's R targets, and R
 *   targets other than this host answered that they hold it, each ranked
 *   above this host for the block, so two hosts with different views of the
 *   mesh can never both drop a copy because of each other; and each of them
 *   proved its claim with a replica audit (`confirm`, audit.ts): a `have` is
 *   a claim, and a host that lies about holding blocks would otherwise make
 *   honest hosts delete real copies.
 * It never drops a copy no other host confirmed (the last copy it knows of),
 * never a block a put coordinated here is sending (`placing`), and never one
 * stored here less than `gcGrace` ago (a put or repair may still be counting it).
 */

export interface GcResult {
  /** Blocks looked at. */
  checked: number
  expired: number
  deleted: number
  surplus: number
  /** Bytes of the blocks reclaimed by this pass. */
  reclaimedBytes: number
}

export interface CollectorHooks {
  /** A put coordinated here is still sending `cid`. */
  placing: (cid: BlockId) => boolean
  /** The owner deleted the file `cid` belongs to (a tombstone names it). */
  isDeleted: (cid: BlockId, record: BlockRecord | undefined) => boolean
  /** A pass over every block starts (returns a token) and ends (with it), uninterrupted. */
  passStarted?: () => number
  passEnded?: (token: number) => void
  /** Whether each of `holders` proves it holds `cid` (a replica audit of each, `Auditor.confirm`). */
  confirm: (cid: BlockId, holders: string[], signal: AbortSignal) => Promise<boolean>
  /** Block `cid` was reclaimed, and why. */
  reclaimed?: (cid: BlockId, why: 'expired' | 'deleted' | 'surplus') => void
}

export class Collector {
  /** Bytes reclaimed since the node started. */
  reclaimedBytes = 0
  private readonly ctx: NodeContext
  private readonly hooks: CollectorHooks
  /** When each recently stored block was stored (`performance.now()`). */
  private readonly recent = new Map<string, number>()
  private interval: ReturnType<typeof setInterval> | undefined
  private running: Promise<GcResult> | undefined
  private readonly controller = new AbortController()

  constructor (ctx: NodeContext, hooks: CollectorHooks) {
    this.ctx = ctx
    this.hooks = hooks
  }

  get enabled (): boolean {
    return this.ctx.role === 'host' && this.ctx.store !== undefined
  }

  start (intervalMs: number): void {
    if (!this.enabled || intervalMs <= 0) return
    this.interval = setInterval(() => {
      this.run().catch((err: unknown) => {
        if (!(err instanceof AbortError && this.controller.signal.aborted)) this.ctx.failed('gc', err)
      })
    }, intervalMs)
  }

  stop (): void {
    clearInterval(this.interval)
    this.controller.abort()
  }

  /** This host just stored `cid`: leave it alone for `gcGrace`. */
  stored (cid: BlockId): void {
    if (this.enabled) this.recent.set(cid.toString(), performance.now())
  }

  /** A fresh pass after any running now (something changed that it must see). */
  async rerun (): Promise<GcResult> {
    await this.running?.catch(() => {})
    return await this.run()
  }

  /** One pass; a pass already running is awaited instead of starting another. */
  async run (options: AbortOptions = {}): Promise<GcResult> {
    this.running ??= this.pass(options).finally(() => { this.running = undefined })
    return await this.running
  }

  private async pass (options: AbortOptions): Promise<GcResult> {
    const result: GcResult = { checked: 0, expired: 0, deleted: 0, surplus: 0, reclaimedBytes: 0 }
    if (!this.enabled) return result
    const signal = options.signal === undefined ? this.controller.signal : AbortSignal.any([options.signal, this.controller.signal])
    this.forgetOld()
    const store = this.ctx.store!
    const token = this.hooks.passStarted?.()
    for await (const cid of store.ids({ signal })) {
      if (signal.aborted) throw new AbortError('gc aborted', { cause: signal.reason })
      if (this.hooks.placing(cid)) continue
      const record = await store.record(cid, { signal })
      const gone = isExpired(record) ? 'expired' : this.hooks.isDeleted(cid, record) ? 'deleted' : undefined
      // The grace only guards copies that may still be counted: an expired or removed file has none to count.
      if (gone === undefined && this.recent.has(cid.toString())) continue
      result.checked++
      const why = gone ?? (await this.surplus(cid, record, signal) ? 'surplus' : undefined)
      if (why === undefined) continue
      const size = await this.sizeOf(cid)
      if (size === undefined) continue
      await store.delete(cid)
      this.hooks.reclaimed?.(cid, why)
      result[why]++
      result.reclaimedBytes += size
    }
    if (token !== undefined) this.hooks.passEnded?.(token)
    this.reclaimedBytes += result.reclaimedBytes
    this.ctx.dispatch('gc', result)
    return result
  }

  /** This copy is beyond the block's R targets, and R of them confirm they hold it. */
  private async surplus (cid: BlockId, record: BlockRecord | undefined, signal: AbortSignal): Promise<boolean> {
    const self = this.ctx.peerId
    const live = this.ctx.storingHosts()
    const replicas = record?.replicas ?? this.ctx.replicas
    const targets = placeBlock(cid, openHosts(live), replicas)
    if (targets.length < replicas || targets.includes(self)) return false
    const me = live.find(h => h.peerId === self)
    if (me === undefined) return false
    const byId = new Map(live.map(h => [h.peerId, h]))
    for (const id of targets) {
      if (!outranks(cid, byId.get(id)!, me)) return false
    }
    const held = await Promise.all(targets.map(async id => await this.probe(id, cid, signal)))
    return held.every(Boolean) && await this.hooks.confirm(cid, targets, signal)
  }

  /** Unconfirmed (not holding it, or not answering): the copy is kept. */
  private async probe (peerId: string, cid: BlockId, signal: AbortSignal): Promise<boolean> {
    return await probeHolder(this.ctx, peerId, cid, signal)
  }

  private async sizeOf (cid: BlockId): Promise<number | undefined> {
    try {
      return (await this.ctx.store!.get(cid)).length
    } catch (err) {
      // Gone meanwhile, or corrupt (the store quarantined it; repair fetches it back, a later pass decides).
      if (err instanceof NotFoundError || err instanceof IntegrityError) return undefined
      throw err
    }
  }

  private forgetOld (): void {
    const before = performance.now() - this.ctx.tuning.gcGrace
    for (const [key, at] of this.recent) if (at < before) this.recent.delete(key)
  }
}

/** `a` ranks above `b` for `cid` between the two of them alone (the same on every host). */
function outranks (cid: BlockId, a: StoringHost, b: StoringHost): boolean {
  return rankPeers(cid, [withoutZone(a), withoutZone(b)])[0] === a.peerId
}

function withoutZone (host: StoringHost): StoringHost {
  return { peerId: host.peerId, weight: host.weight, full: host.full }
}
