import type { BlockId } from '../block/id.js'
import { equalBytes } from '../block/id.js'
import { AbortError, AuditError, CairnError, ConnectionClosedError, IntegrityError, NotFoundError, TimeoutError } from '../errors.js'
import { MAX_AUDIT_LENGTH } from '../wire/limits.js'
import type { NodeContext, StoringHost } from './context.js'
import { openHosts } from './context.js'
import { placeBlock } from './placement.js'

/*
 * Replica audits (proof of storage). A host that acknowledges `stored` and
 * then drops the block, or answers every probe `have`, would otherwise count
 * as a copy forever: repair would never replace it, and it would even stop
 * the hosts it outranks from repairing. So during repair, a host asks some
 * holders that claim a block (`have` to a probe) for a random byte range of
 * it (`audit`, at most MAX_AUDIT_LENGTH bytes; answered `proof`).
 *
 * Why the auditor can check the answer: repair only assesses blocks this
 * host holds itself, so the auditor compares the range with its own copy:
 * bytes the mesh hashed against the block id before storing them, and that a
 * store on media that can rot hashes again on every read (the `BlockStore`
 * contract; `FsBlockStore` does). It checks against bytes it knows to be
 * right, never against the holder's word. The
 * range is drawn from `crypto.getRandomValues` after the claim, so a holder
 * cannot keep only the parts it will be asked for. Answering from its own
 * store only (never fetched from others) is what an honest host does; a
 * cheat could fetch the block from another holder within the request
 * timeout, which proves the bytes exist somewhere but not here: audits catch
 * hosts that lost or dropped blocks, not a colluding relay.
 *
 * A holder fails when it answers `dont-have` after claiming the block, sends
 * other bytes, or refuses with an error. It then loses all its strikes (the
 * connection is closed, `Peer.forfeit`), is left out of placement for
 * `auditPenalty`, and the block is placed as if it did not hold it: repair
 * copies it to the next host. Each failure is counted (`backgroundFailures.audit`)
 * and reported. A timeout or a closed connection is no verdict: the request
 * machinery already drops peers that stop answering. A holder whose own copy
 * rotted claimed it honestly: it answers from the copy it fetches back in its
 * place (`serve.ts`), within the audit's timeout. Audits are sampled
 * (`auditChance` per claim, at most `auditsPerPass` per pass) to bound the
 * reads they cost: one block read at each side.
 *
 * Each host audits for itself and believes nobody's verdict but its own (a
 * host could slander another). So while one host distrusts a liar, the others
 * may still count its claims. Two rules keep repair moving meanwhile: a
 * distrusted host is never asked whether it holds a block (its `have` counts
 * for nothing, even after it reconnects, so it cannot outrank this host), and
 * where the hosts that still trust it would count it among a block's targets
 * (`misled`), they leave that block to it, so this host copies the block to
 * its own targets without waiting for a holder ranked above it (a block may
 * be sent twice, when a holder ranked above acts too).
 *
 * Garbage collection never drops a copy on claims alone: every target it
 * counts must prove its claim first (`confirm`, not sampled; it runs only
 * for a copy about to be dropped). Otherwise a liar's `have` would delete
 * real copies, and hosts that still trust it would delete the copies made
 * around it as surplus, to be sent again by the next repair pass, for as long
 * as the liar's penalty lasts. (Only other bytes are punished there: a
 * `dont-have` may be an honest host that dropped the block since the probe.)
 */

/** Bytes asked for per audit (or the whole block when it is shorter). */
export const AUDIT_LENGTH = 64
/** Hosts remembered as having failed an audit. */
const MAX_FAILED = 1024

export class Auditor {
  private readonly ctx: NodeContext
  private budget = 0
  /**
   * Hosts that failed an audit: until when (`performance.now()`), and how they
   * stood in placement then (to place as the hosts that still trust them do).
   */
  private readonly failedUntil = new Map<string, { until: number, host: StoringHost | undefined }>()

  constructor (ctx: NodeContext) {
    this.ctx = ctx
  }

  /** A repair pass starts: its budget of audits. */
  startPass (): void {
    this.budget = this.ctx.tuning.auditsPerPass
  }

  /** True while `peerId` is left out of placement for failing an audit. */
  distrusted (peerId: string): boolean {
    const failed = this.failedUntil.get(peerId)
    if (failed === undefined) return false
    if (failed.until > performance.now()) return true
    this.failedUntil.delete(peerId)
    return false
  }

  /**
   * True if hosts that have not caught a host this one distrusts would count
   * it among `cid`'s `replicas` targets: they leave the block to it, so this
   * host must copy it to its own targets rather than wait for them. `live` is
   * this node's view of the storing hosts (distrusted ones marked full).
   */
  misled (cid: BlockId, replicas: number, live: StoringHost[]): boolean {
    if (this.failedUntil.size === 0) return false
    const asTheySee: StoringHost[] = []
    let suspects = 0
    for (const host of live) {
      if (this.distrusted(host.peerId)) {
        suspects++
        asTheySee.push({ ...host, full: false })
      } else {
        asTheySee.push(host)
      }
    }
    const seen = new Set(live.map(host => host.peerId))
    for (const [peerId, { host }] of this.failedUntil) {
      if (host === undefined || seen.has(peerId) || !this.distrusted(peerId)) continue
      suspects++
      asTheySee.push(host)
    }
    if (suspects === 0) return false
    return placeBlock(cid, openHosts(asTheySee), replicas).some(id => this.distrusted(id))
  }

  /**
   * Audit some of the claims to hold `cid` (the other ids in `holders`).
   * Holders that fail are removed from `holders`. True if any failed.
   */
  async check (cid: BlockId, holders: Set<string>, signal: AbortSignal): Promise<boolean> {
    const chosen: string[] = []
    for (const id of holders) {
      if (id === this.ctx.peerId || this.budget <= 0 || randomFraction() >= this.ctx.tuning.auditChance) continue
      this.budget--
      chosen.push(id)
    }
    if (chosen.length === 0) return false
    const own = await this.ownCopy(cid, signal)
    if (own === undefined || own.length === 0) return false
    let failed = false
    for (const id of chosen) {
      const outcome = await this.audit(id, cid, own, signal)
      if (outcome.failed === undefined) continue
      holders.delete(id)
      failed = true
      this.fail(id, cid, outcome.failed)
    }
    return failed
  }

  /**
   * Every claim in `holders` proven, not sampled: garbage collection drops a
   * copy only on this (a liar's `have` would otherwise delete real copies, and
   * undo the ones made around it). False if any holder did not prove it, or
   * this node's own copy is gone. Only other bytes are punished here: an
   * honest holder may have dropped the block since the probe (its own GC, a
   * tombstone) or found its copy rotten, and GC audits every target of every
   * surplus copy, so a `dont-have` or a refusal only keeps the copy; catching
   * such liars is left to repair's sampled audits.
   */
  async confirm (cid: BlockId, holders: string[], signal: AbortSignal): Promise<boolean> {
    const own = await this.ownCopy(cid, signal)
    if (own === undefined) return false
    // The empty block has no range to prove, and anyone can make it again.
    if (own.length === 0) return true
    for (const id of holders) {
      if (this.distrusted(id)) return false
      const outcome = await this.audit(id, cid, own, signal)
      if (outcome.lied === true) this.fail(id, cid, outcome.failed!)
      if (!outcome.passed) return false
    }
    return true
  }

  /**
   * Whether `peerId` proved it holds `cid`; if it failed, why, and whether it
   * sent other bytes (`lied`: an honest host never does, it verifies what it
   * serves). A timeout or closed connection is neither pass nor failure.
   */
  private async audit (peerId: string, cid: BlockId, own: Uint8Array, signal: AbortSignal): Promise<{ passed: boolean, failed?: string, lied?: true }> {
    const peer = this.ctx.peer(peerId)
    if (peer === undefined) return { passed: false }
    const length = Math.min(AUDIT_LENGTH, MAX_AUDIT_LENGTH, own.length)
    const offset = randomBelow(own.length - length + 1)
    let answer: Uint8Array | null
    try {
      answer = await peer.audit(cid, offset, length, { timeout: this.ctx.tuning.probeTimeout, signal })
    } catch (err) {
      if (err instanceof AbortError && signal.aborted) throw err
      if (err instanceof TimeoutError || err instanceof ConnectionClosedError || err instanceof AbortError) return { passed: false }
      return { passed: false, failed: `refused the audit (${err instanceof CairnError ? err.code : 'error'})` }
    }
    if (answer === null) return { passed: false, failed: 'said it does not have it' }
    if (answer.length !== length || !equalBytes(answer, own.subarray(offset, offset + length))) return { passed: false, failed: `sent other bytes for ${offset}+${length}`, lied: true }
    return { passed: true }
  }

  private fail (peerId: string, cid: BlockId, why: string): void {
    this.makeRoom()
    // How it stood before it was distrusted (full only if it was full): kept from its first
    // failure, since a second one in the same pass finds it closed or marked full already.
    const earlier = this.failedUntil.get(peerId)
    const host = (earlier !== undefined && earlier.until > performance.now() ? earlier.host : undefined) ?? this.ctx.storingHosts().find(h => h.peerId === peerId)
    this.failedUntil.delete(peerId)
    this.failedUntil.set(peerId, { until: performance.now() + this.ctx.tuning.auditPenalty, host })
    const message = `host ${peerId} claimed block ${cid.toString()} and failed its audit: it ${why}`
    this.ctx.failed('audit', new AuditError(message))
    this.ctx.peer(peerId)?.forfeit('ERR_AUDIT', `failed a replica audit of ${cid.toString()}`)
  }

  /** Room for one more failed host: expired entries go first, then the oldest (MAX_FAILED bounds the work per block). */
  private makeRoom (): void {
    if (this.failedUntil.size < MAX_FAILED) return
    const now = performance.now()
    for (const [id, { until }] of this.failedUntil) if (until <= now) this.failedUntil.delete(id)
    if (this.failedUntil.size >= MAX_FAILED) this.failedUntil.delete(this.failedUntil.keys().next().value as string)
  }

  /** This node's copy (verified on read by stores that can rot); undefined if it is gone or corrupt (then reported). */
  private async ownCopy (cid: BlockId, signal: AbortSignal): Promise<Uint8Array | undefined> {
    try {
      return await this.ctx.store!.get(cid, { signal })
    } catch (err) {
      if (err instanceof IntegrityError) this.ctx.reportCorrupt(cid)
      else if (!(err instanceof NotFoundError)) throw err
      return undefined
    }
  }
}

/** A uniform integer in [0, n) from `crypto.getRandomValues` (n ≤ 2^32). */
function randomBelow (n: number): number {
  if (n <= 1) return 0
  const limit = Math.floor(0x1_0000_0000 / n) * n
  const word = new Uint32Array(1)
  do crypto.getRandomValues(word)
  while (word[0]! >= limit)
  return word[0]! % n
}

function randomFraction (): number {
  const word = new Uint32Array(1)
  crypto.getRandomValues(word)
  return word[0]! / 0x1_0000_0000
}
