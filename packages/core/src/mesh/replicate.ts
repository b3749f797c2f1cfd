import type { BlockId } from '../block/id.js'
import { AbortError, ConnectionClosedError, ExpiryError, NoStoreError, ReplicationError, StorageFullError, TimeoutError } from '../errors.js'
import type { AbortOptions, StorePutOptions } from '../store/block-store.js'
import type { BlockRecord } from '../store/record.js'
import { acceptRecord } from './lifecycle.js'
import type { PutResult } from './api.js'
import type { NodeContext } from './context.js'
import { isStoringHost, markFull, openHosts } from './context.js'
import { rankPeers } from './placement.js'

/*
 * Put coordination. A host places a block on the R live storing hosts that
 * take new blocks (zone-aware weighted HRW, `placement.ts`), itself included
 * when it is one, and counts durable copies; the put succeeds with at least
 * W. A target that turns out to keep no blocks, whose connection drops, or
 * that is full is replaced by the next host in rank (a full one is left out
 * of placement for `fullRetry`); a full one still counts as a failed copy. Nodes that are not hosts hand the block to a connected host
 * with `put {replicas}`, and that host coordinates.
 */

interface Failure {
  peerId: string
  err: unknown
}

export class Replicator {
  private readonly ctx: NodeContext
  /** Blocks being placed now, and by how many puts. */
  private readonly inFlight = new Map<string, number>()

  constructor (ctx: NodeContext) {
    this.ctx = ctx
  }

  /** True while a put of `cid` coordinated here is sending its copies (repair leaves it alone). */
  placing (cid: BlockId): boolean {
    return this.inFlight.has(cid.toString())
  }

  /** Place `cid` on `record.replicas` storing hosts (this node is a host), each keeping `record`. */
  async coordinate (cid: BlockId, bytes: Uint8Array, record: BlockRecord, options: AbortOptions = {}): Promise<PutResult> {
    acceptRecord(record, this.ctx.maxExpiry)
    const key = cid.toString()
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1)
    try {
      return await this.place(cid, bytes, record, options)
    } finally {
      const left = this.inFlight.get(key)! - 1
      if (left === 0) this.inFlight.delete(key)
      else this.inFlight.set(key, left)
    }
  }

  private async place (cid: BlockId, bytes: Uint8Array, record: BlockRecord, options: AbortOptions): Promise<PutResult> {
    const replicas = record.replicas
    const live = this.ctx.storingHosts()
    const ranked = rankPeers(cid, openHosts(live))
    const targets = ranked.slice(0, Math.min(replicas, ranked.length))
    const quorum = Math.min(this.ctx.writeQuorum ?? Math.min(2, live.length), replicas)
    const spares = ranked.slice(targets.length)
    const failures: Failure[] = live.filter(host => host.full)
      .map(host => ({ peerId: host.peerId, err: new StorageFullError(`host ${host.peerId} is over its high-water mark`) }))
    const done = await Promise.all(targets.map(async target => await this.copyTo(target, cid, bytes, spares, failures, { ...options, record })))
    const copies = done.filter(Boolean).length
    if (copies >= quorum && copies > 0) return { copies }
    throw replicationFailure(cid, copies, Math.max(quorum, 1), failures)
  }

  /** Hand `cid` to a connected host that coordinates R copies (clients, browsers). */
  async forward (cid: BlockId, bytes: Uint8Array, replicas: number | undefined, options: StorePutOptions = {}): Promise<PutResult> {
    const hosts = new Map(this.ctx.peerList().filter(p => p.role === 'host' && !p.isClosed).map(p => [p.peerId, p]))
    let lastFailure: unknown
    for (const id of rankPeers(cid, hosts.keys())) {
      const host = hosts.get(id)!
      try {
        const copies = await host.put(cid, bytes, { ...options, ...(replicas === undefined ? {} : { replicas }), timeout: 2 * this.ctx.tuning.putTimeout })
        return { copies }
      } catch (err) {
        if (err instanceof AbortError) throw err
        if (err instanceof ExpiryError) throw err
        if (err instanceof ReplicationError || err instanceof StorageFullError) {
          throw new ReplicationError(`block ${cid.toString()}: host ${id} could not place it: ${err.message}`, 0, { cause: err })
        }
        lastFailure = err
      }
    }
    const why = hosts.size === 0 ? 'no host is connected' : 'no host took it'
    throw new ReplicationError(`block ${cid.toString()}: ${why}`, 0, { cause: lastFailure })
  }

  private async copyTo (target: string, cid: BlockId, bytes: Uint8Array, spares: string[], failures: Failure[], options: StorePutOptions): Promise<boolean> {
    for (let current: string | undefined = target; current !== undefined; current = spares.shift()) {
      try {
        await this.storeAt(current, cid, bytes, options)
        return true
      } catch (err) {
        if (err instanceof AbortError) throw err
        if (err instanceof StorageFullError) markFull(this.ctx, current)
        if (!replaceable(err)) {
          failures.push({ peerId: current, err })
          return false
        }
        if (err instanceof NoStoreError) {
          const peer = this.ctx.peer(current)
          if (peer !== undefined) peer.stores = false
        }
        failures.push({ peerId: current, err })
      }
    }
    return false
  }

  private async storeAt (peerId: string, cid: BlockId, bytes: Uint8Array, options: StorePutOptions): Promise<void> {
    if (peerId === this.ctx.peerId) {
      if (this.ctx.store === undefined) throw new NoStoreError()
      const takes = this.ctx.takesBlocks()
      if (takes !== true && !await takes && !await this.ctx.store.has(cid, options)) throw new StorageFullError('this host is over its high-water mark')
      await this.ctx.store.put(cid, bytes, options)
      this.ctx.held(cid)
      return
    }
    const peer = this.ctx.peer(peerId)
    if (peer === undefined || !isStoringHost(peer)) throw new ConnectionClosedError(`host ${peerId} is gone`)
    await peer.put(cid, bytes, { timeout: this.ctx.tuning.putTimeout, ...options })
  }
}

/** Failures that say "try another host" rather than "this copy failed". */
function replaceable (err: unknown): boolean {
  // ExpiryError: a host with a shorter `--max-expiry` than the coordinator's.
  return err instanceof ConnectionClosedError || err instanceof StorageFullError || err instanceof NoStoreError || err instanceof ExpiryError
}

function replicationFailure (cid: BlockId, copies: number, quorum: number, failures: Failure[]): ReplicationError {
  const full = failures.filter(f => f.err instanceof StorageFullError)
  const reasons = failures.map(f => `${f.peerId.slice(-8)}: ${describe(f.err)}`)
  const detail = reasons.length > 0 ? `; ${reasons.join('; ')}` : ''
  const message = `block ${cid.toString()}: ${copies} of ${quorum} required copies${detail}`
  const cause = full.length > 0
    ? new StorageFullError(`storage full on ${full.length} host(s)`, { cause: full[0]?.err })
    : failures[0]?.err
  return new ReplicationError(message, copies, { cause })
}

function describe (err: unknown): string {
  if (err instanceof StorageFullError) return 'storage full'
  if (err instanceof TimeoutError) return 'timed out'
  if (err instanceof ConnectionClosedError) return 'disconnected'
  return err instanceof Error ? err.message : 'failed'
}
