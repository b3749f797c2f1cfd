import type { BlockId } from '../block/id.js'
import { AbortError, IntegrityError, NoStoreError, StorageFullError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import type { RepairResult } from './api.js'
import type { NodeContext, StoringHost } from './context.js'
import type { Fetcher } from './fetch.js'
import { placeBlock, rankPeers } from './placement.js'
import { markFull, openHosts, probeHolder } from './context.js'
import { Pacer } from './pacer.js'
import { Auditor } from './audit.js'
import { MAX_SCOPE_BLOCKS, RepairScope } from './repair-scope.js'
import { Restorer } from './restore.js'
import { isExpired } from '../store/record.js'
import type { BlockRecord } from '../store/record.js'

/*
 * Repair (hosts with a store). For each held block, rank the live storing
 * hosts; probe the hosts ranked above this one and the block's R targets
 * (placement over the hosts that take new blocks: distinct zones when there
 * are R). If no host ranked above holds it, this node is the highest-ranked
 * live holder and sends the block to each target that lacks it. Blocks to
 * send are batched and sent fewest live copies first, at `repairRate` bytes
 * per second in all. A block reported corrupt is dropped and fetched back
 * from peers (restore.ts). Passes run one at a time: over every held block soon after
 * start, on membership change (debounced), periodically and on request; over
 * the blocks concerned soon after this host stores new blocks and again soon
 * after a pass that left blocks under R (`repair-scope.ts`). So
 * `underReplicated` (held blocks with fewer than R live copies) is counted
 * the same way on every host and is seconds old, not a periodic interval old.
 * Claims to hold a block are sampled and audited (audit.ts): a holder that
 * cannot prove it is dropped, and the block is placed around it.
 */

/** Longest wait between follow-up passes when periodic repair is off. */
const MAX_RETRY_DELAY = 60_000

/**
 * A pass due to newly stored blocks waits `repairDelay`, or this many times
 * the last pass's duration if longer: passes over every held block during a
 * long upload took ~20% of every host's CPU beside it, back to back (issue 12);
 * a pass right after a long full one waits for a fifth of the CPU at most.
 */
const STORED_PASS_SPACING = 4

/** Blocks held for copying in one batch, sorted fewest live copies first. */
const REPAIR_BATCH = 4096

interface BlockCheck {
  copied: number
  under: boolean
}

interface Assessment {
  cid: BlockId
  /** The block's record (absent: stored without one; it counts with this host's R). */
  record: BlockRecord | undefined
  /** Its replica target: the record's R, else this host's. */
  replicas: number
  holders: Set<string>
  /** Targets lacking the block, when this node is the one to send it (else empty). */
  missing: string[]
}

export class Repairer {
  /** Held blocks under R replicas as of their latest assessment, and blocks awaiting restore. */
  underReplicated = 0
  private readonly ctx: NodeContext
  private readonly restorer: Restorer
  private readonly scope = new RepairScope()
  private running: Promise<RepairResult> | undefined
  private queued: Promise<RepairResult> | undefined
  /** Whether the queued pass covers every held block (a full pass asked for while it waited). */
  private queuedFull = false
  /** A full pass due (membership changed). */
  private debounce: ReturnType<typeof setTimeout> | undefined
  /** A partial pass due (new blocks stored, blocks left under R), and when (`performance.now()`). */
  private recount: ReturnType<typeof setTimeout> | undefined
  private recountAt = 0
  /** How long the last pass took, ms: a store-triggered pass waits `STORED_PASS_SPACING` times that. */
  private lastPassMs = 0
  private interval: ReturnType<typeof setInterval> | undefined
  private readonly controller = new AbortController()
  private retryDelay: number
  private intervalMs = 0
  private readonly pacer: Pacer

  /**
   * `placing(cid)`: a put coordinated here is still sending `cid`'s copies. A pass
   * skips such blocks (copying them too would send them twice) and recounts soon.
   */
  constructor (
    ctx: NodeContext,
    fetcher: Fetcher,
    private readonly placing: (cid: BlockId) => boolean = () => false,
    private readonly auditor: Auditor = new Auditor(ctx)
  ) {
    this.ctx = ctx
    this.restorer = new Restorer(ctx, fetcher, {
      failed: (err) => { this.failed('restore', err) },
      // Counted as lost (not also as held under R) until it is back.
      dropped: (cid) => { this.scope.forget(cid) },
      // A pass may have counted it lost meanwhile, and its follow-up may be a long backoff
      // away: count again soon, so `underReplicated` is seconds old.
      restored: () => {
        this.retryDelay = this.ctx.tuning.repairRetry
        this.recountIn(this.ctx.tuning.repairDelay)
      }
    })
    this.retryDelay = ctx.tuning.repairRetry
    this.pacer = new Pacer(ctx.tuning.repairRate)
  }

  get enabled (): boolean {
    return this.ctx.role === 'host' && this.ctx.store !== undefined
  }

  start (intervalMs: number): void {
    this.intervalMs = intervalMs
    if (!this.enabled) return
    // Count what a restarted host already holds now, not at the first membership change or period.
    this.schedule()
    if (intervalMs <= 0) return
    this.interval = setInterval(() => { this.runInBackground() }, intervalMs)
  }

  stop (): void {
    clearTimeout(this.debounce)
    clearTimeout(this.recount)
    clearInterval(this.interval)
    this.controller.abort()
  }

  /** Run a pass soon (membership changed). */
  schedule (delay = this.ctx.tuning.repairDelay): void {
    if (!this.enabled || this.controller.signal.aborted) return
    clearTimeout(this.debounce)
    this.debounce = setTimeout(() => { this.runInBackground() }, delay)
  }

  /** A pass nobody awaits (timer, membership change): its failure is counted, unless the node is stopping. */
  private runInBackground (full = true): void {
    this.enqueue(full, {}).catch((err: unknown) => { this.failed('repair', err) })
  }

  /** Count a background failure; an abort because the node is stopping is none. */
  private failed (kind: 'repair' | 'restore', err: unknown): void {
    if (err instanceof AbortError && this.controller.signal.aborted) return
    this.ctx.failed(kind, err)
  }

  /**
   * This host stored a new block: count it soon. Not debounced (a long upload would put
   * the count off until it ends), but spaced by `STORED_PASS_SPACING`.
   */
  stored (cid: BlockId): void {
    if (!this.enabled || this.controller.signal.aborted) return
    this.scope.add(cid)
    this.recountIn(Math.max(this.ctx.tuning.repairDelay, STORED_PASS_SPACING * this.lastPassMs))
  }

  /** A partial pass in `delay` ms, unless one is due sooner. */
  private recountIn (delay: number): void {
    if (!this.enabled || this.controller.signal.aborted) return
    const at = performance.now() + delay
    if (this.recount !== undefined && this.recountAt <= at) return
    clearTimeout(this.recount)
    this.recountAt = at
    this.recount = setTimeout(() => {
      this.recount = undefined
      this.runInBackground(false)
    }, delay)
  }

  /** A stored block failed verification: drop it and fetch it back (`restore.ts`). */
  async restore (cid: BlockId): Promise<void> {
    await this.restorer.restore(cid)
  }

  /** The restore of `cid` under way, if any. */
  restoreOf (cid: BlockId): Promise<void> | undefined {
    return this.restorer.restoreOf(cid)
  }

  /** One pass over every held block, after any pass already running (at most one waits). */
  async run (options: AbortOptions = {}): Promise<RepairResult> {
    return await this.enqueue(true, options)
  }

  /** A pass waiting for the running one takes every request made meanwhile: full if any was. */
  private async enqueue (full: boolean, options: AbortOptions): Promise<RepairResult> {
    if (this.queued !== undefined) {
      this.queuedFull ||= full
      return await this.queued
    }
    if (this.running === undefined) return await this.track(this.pass(full, options))
    const previous = this.running
    this.queuedFull = full
    // Only waits for the running pass: its failure is its own caller's (or counted, if nobody awaits it).
    this.queued = previous.catch(() => {}).then(async () => {
      this.queued = undefined
      return await this.track(this.pass(this.queuedFull, options))
    })
    return await this.queued
  }

  private async track (pass: Promise<RepairResult>): Promise<RepairResult> {
    this.running = pass
    try {
      return await pass
    } finally {
      if (this.running === pass) this.running = undefined
    }
  }

  /** A pass over every held block (`full`), or over those the scope names. */
  private async pass (full: boolean, options: AbortOptions): Promise<RepairResult> {
    const result: RepairResult = { checked: 0, copied: 0, underReplicated: 0 }
    if (!this.enabled) return result
    const started = Date.now()
    this.auditor.startPass()
    const signal = options.signal === undefined ? this.controller.signal : AbortSignal.any([options.signal, this.controller.signal])
    const some = this.scope.begin(!full)
    try {
      return await this.assessAll(some, signal, result, started)
    } catch (err) {
      this.scope.putBack(some)
      this.recountIn(this.retryDelay)
      throw err
    }
  }

  /** `pass`'s work over `some` blocks (undefined: every held block). */
  private async assessAll (some: BlockId[] | undefined, signal: AbortSignal, result: RepairResult, started: number): Promise<RepairResult> {
    await this.restorer.retryLost(signal)
    const ids = some === undefined ? this.ctx.store!.ids({ signal })[Symbol.asyncIterator]() : this.stillHeld(some, signal)
    const pending: Assessment[] = []
    const under = new Map<string, BlockId>()
    let underCount = 0
    const skipped: BlockId[] = []
    const record = (cid: BlockId, check: BlockCheck): void => {
      result.copied += check.copied
      if (!check.under) return
      underCount++
      if (under.size < MAX_SCOPE_BLOCKS) under.set(cid.toString(), cid)
    }
    // Blocks this node must copy wait in a batch, sent fewest live copies first.
    const flush = async (): Promise<void> => {
      const batch = pending.splice(0).sort((a, b) => a.holders.size - b.holders.size)
      const copier = async (): Promise<void> => {
        for (let next = batch.shift(); next !== undefined; next = batch.shift()) record(next.cid, await this.copy(next, signal))
      }
      await Promise.all(Array.from({ length: this.ctx.tuning.repairConcurrency }, copier))
    }
    const worker = async (): Promise<void> => {
      for (let next = await ids.next(); next.done !== true; next = await ids.next()) {
        if (signal.aborted) throw new AbortError('repair aborted', { cause: signal.reason })
        if (this.placing(next.value)) {
          skipped.push(next.value)
          continue
        }
        const assessment = await this.assess(next.value, signal)
        if (assessment === undefined) continue
        result.checked++
        if (assessment.missing.length === 0) {
          record(next.value, { copied: 0, under: assessment.holders.size < assessment.replicas })
          continue
        }
        pending.push(assessment)
        if (pending.length >= REPAIR_BATCH) await flush()
      }
    }
    await Promise.all(Array.from({ length: this.ctx.tuning.repairConcurrency }, worker))
    await flush()
    const done = new Set(skipped.map(cid => cid.toString()))
    this.scope.settle(some === undefined ? 'all' : some.filter(cid => !done.has(cid.toString())), under, underCount)
    result.underReplicated = this.scope.underCount + this.restorer.lostCount
    this.underReplicated = result.underReplicated
    this.lastPassMs = Date.now() - started
    this.followUp(result.underReplicated > 0)
    for (const cid of skipped) this.stored(cid)
    this.ctx.dispatch('repair', result)
    return result
  }

  /** The blocks of `some` this host still holds. */
  private async * stillHeld (some: BlockId[], signal: AbortSignal): AsyncGenerator<BlockId> {
    for (const cid of some) if (await this.ctx.store!.has(cid, { signal })) yield cid
  }

  /**
   * Blocks left under R (another holder may be copying them, or a copy
   * failed): look again soon, backing off to the periodic interval.
   */
  private followUp (under: boolean): void {
    if (!under) {
      this.retryDelay = this.ctx.tuning.repairRetry
      return
    }
    this.recountIn(this.retryDelay)
    this.retryDelay = Math.min(this.retryDelay * 2, Math.max(this.ctx.tuning.repairRetry, this.intervalMs > 0 ? this.intervalMs : MAX_RETRY_DELAY))
  }

  /**
   * Who holds `cid` among the hosts that matter, and which targets lack it if
   * this node is the one to send; undefined for an expired block (nothing to
   * keep: GC reclaims it).
   */
  private async assess (cid: BlockId, signal: AbortSignal): Promise<Assessment | undefined> {
    const record = await this.ctx.store!.record(cid, { signal })
    if (isExpired(record)) return undefined
    const replicas = record?.replicas ?? this.ctx.replicas
    const self = this.ctx.peerId
    let { live, ranked, targets } = this.placement(cid, replicas)
    const holders = new Set([self])
    // A host that failed an audit here is not asked: its `have` counts for nothing (audit.ts).
    const rank = ranked.indexOf(self)
    const toProbe = ranked.filter((id, i) => id !== self && !this.auditor.distrusted(id) && (i < rank || targets.includes(id)))
    await Promise.all(toProbe.map(async id => {
      if (await this.probe(id, cid, signal)) holders.add(id)
    }))
    // A holder that fails its audit is gone (disconnected, left out of placement): place around it.
    if (await this.auditor.check(cid, holders, signal)) ({ live, ranked, targets } = this.placement(cid, replicas))
    const myRank = ranked.indexOf(self)
    // Hosts that still trust a liar this host caught leave the block to it: do not wait for them.
    const outranked = !this.auditor.misled(cid, replicas, live) && ranked.slice(0, Math.max(0, myRank)).some(id => holders.has(id))
    return { cid, record, replicas, holders, missing: outranked ? [] : targets.filter(id => !holders.has(id)) }
  }

  /** The live storing hosts ranked for `cid`, and where its `replicas` copies belong: the best that take new blocks, in distinct zones when there are that many. */
  private placement (cid: BlockId, replicas: number): { live: StoringHost[], ranked: string[], targets: string[] } {
    const live = this.ctx.storingHosts()
    return { live, ranked: rankPeers(cid, live), targets: placeBlock(cid, openHosts(live), replicas) }
  }

  /** Send `cid` to each target that lacks it, at the repair rate. */
  private async copy ({ cid, record, replicas, holders, missing }: Assessment, signal: AbortSignal): Promise<BlockCheck> {
    let copied = 0
    let bytes: Uint8Array | undefined
    for (const target of missing) {
      const peer = this.ctx.peer(target)
      if (peer === undefined) continue
      try {
        bytes ??= await this.ctx.store!.get(cid, { signal })
        await this.pacer.take(bytes.length, signal)
        await peer.put(cid, bytes, { timeout: this.ctx.tuning.putTimeout, signal, ...(record === undefined ? {} : { record }) })
        holders.add(target)
        copied++
      } catch (err) {
        if (err instanceof IntegrityError) {
          this.ctx.reportCorrupt(cid)
          return { copied, under: true }
        }
        if (err instanceof AbortError) throw err
        if (err instanceof StorageFullError) markFull(this.ctx, target)
        if (err instanceof NoStoreError) peer.stores = false
        // Any other failed copy leaves the block under R: it shows in
        // `underReplicated` and the follow-up pass tries again.
      }
    }
    // Under-replicated means fewer than R live copies, even when fewer than R hosts are alive.
    return { copied, under: holders.size < replicas }
  }

  /** Not holding it, or not answering, counts as not holding it: at worst one copy too many is sent. */
  private async probe (peerId: string, cid: BlockId, signal: AbortSignal): Promise<boolean> {
    return await probeHolder(this.ctx, peerId, cid, signal)
  }
}
