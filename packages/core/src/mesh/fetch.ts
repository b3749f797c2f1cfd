import type { BlockId } from '../block/id.js'
import { AbortError, DeletedError, ExpiredError, RelayBudgetError, TimeoutError, UnavailableError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import type { NodeContext } from './context.js'
import { isStoringHost } from './context.js'
import type { HaveIndex } from './haves.js'
import type { Peer } from './peer.js'
import { rankPeers } from './placement.js'

/*
 * Multi-source block fetching. Candidates for a block are the live storing
 * hosts in HRW order, then peers that announced the block. A request goes to
 * the least loaded of the likely holders (the first R untried hosts and the
 * announcers) that has room in its window; when none has, it waits its turn
 * (FIFO). A tab or client asks hosts that relay without storing (`--no-store
 * --relay`) last. A dont-have, timeout, closed connection or bad hash moves
 * on to the next candidate; when none is left the fetch fails with
 * `UnavailableError` (or why a host would not serve it: expired, removed,
 * its relay budget used up).
 */

export interface FetchOptions extends AbortOptions {
  /** Never ask this peer (the one a relay fetches for). */
  exclude?: string
  /** Asked with each block's size before it is taken (`Peer.want`); an error it returns ends the fetch with it. */
  admit?: (total: number) => Error | undefined
  /** Told the size of each part taken in, from any source (`Peer.want`), verified or not. */
  taken?: (bytes: number) => void
}

interface Waiter {
  tier: Peer[]
  resolve: (pick: Peer | null) => void
}

export class Fetcher {
  private readonly ctx: NodeContext
  private readonly haves: HaveIndex
  private readonly waiters: Waiter[] = []

  constructor (ctx: NodeContext, haves: HaveIndex) {
    this.ctx = ctx
    this.haves = haves
  }

  /** Fetch and verify `cid` from peers (never the local store), except `exclude`. */
  async fetch (cid: BlockId, options: FetchOptions = {}): Promise<Uint8Array> {
    const tried = new Set<string>()
    if (options.exclude !== undefined) tried.add(options.exclude)
    let lastFailure: unknown
    let gone: ExpiredError | DeletedError | undefined
    let budget: RelayBudgetError | undefined
    for (;;) {
      throwIfAborted(options.signal)
      const tier = this.tier(cid, tried)
      if (tier.length === 0) {
        // A host said the file expired or was removed and none served it: that is why it is gone.
        if (gone instanceof DeletedError) throw new DeletedError(`block ${cid.toString()}: the file was removed by its owner`, { cause: gone })
        if (gone !== undefined) throw new ExpiredError(`block ${cid.toString()}: the file has expired`, { cause: gone })
        if (budget !== undefined) throw new RelayBudgetError(`block ${cid.toString()}: no other peer served it, and the host's relay budget is used up`, { cause: budget })
        const asked = tried.size - (options.exclude === undefined ? 0 : 1)
        throw new UnavailableError(`block ${cid.toString()}: no reachable peer has it (${asked} asked)`, { cause: lastFailure })
      }
      const peer = await this.acquire(tier, options.signal)
      if (peer === null) continue
      tried.add(peer.peerId)
      const result = await this.request(peer, cid, options)
      if (result instanceof Uint8Array) return result
      if (result instanceof ExpiredError || result instanceof DeletedError) gone = result
      if (result instanceof RelayBudgetError) budget = result
      lastFailure = result
    }
  }

  /** Re-check waiting fetches: a window has room or a peer came or went. */
  pump (): void {
    for (let i = 0; i < this.waiters.length;) {
      const waiter = this.waiters[i]!
      const pick = pickPeer(waiter.tier)
      if (pick === undefined && waiter.tier.some(peer => !peer.isClosed)) {
        i++
        continue
      }
      this.waiters.splice(i, 1)
      if (pick !== undefined) pick.window.start()
      waiter.resolve(pick ?? null)
    }
  }

  /** One request; returns the verified block, or why it failed. */
  private async request (peer: Peer, cid: BlockId, options: FetchOptions): Promise<Uint8Array | Error> {
    const started = performance.now()
    const { signal, admit, taken } = options
    let refusal: Error | undefined
    let bytes: Uint8Array | null
    try {
      const timeout = peer.window.timeout(this.ctx.tuning.requestTimeout)
      bytes = await peer.want(cid, {
        timeout,
        ...(signal === undefined ? {} : { signal }),
        ...(admit === undefined ? {} : { admit: (total: number) => (refusal = admit(total)) }),
        ...(taken === undefined ? {} : { taken })
      })
    } catch (err) {
      peer.window.fail(err instanceof TimeoutError)
      this.pump()
      if (err instanceof AbortError || (refusal !== undefined && err === refusal)) throw err
      return err as Error
    }
    if (bytes === null) {
      peer.window.fail(false)
      this.pump()
      return new UnavailableError(`${peer.peerId} does not have ${cid.toString()}`)
    }
    try {
      await this.ctx.verifyBlock(cid, bytes)
    } catch (err) {
      peer.window.fail(false)
      this.pump()
      peer.strike(`sent bytes that do not match ${cid.toString()}`)
      return err as Error
    }
    peer.window.succeed(started, bytes.length)
    this.pump()
    return bytes
  }

  /** Likely holders not yet asked: the first R ranked storing hosts, announcers, then (tabs and clients) relaying hosts. */
  private tier (cid: BlockId, tried: Set<string>): Peer[] {
    const hosts = new Map<string, Peer>()
    for (const peer of this.ctx.peerList()) if (isStoringHost(peer)) hosts.set(peer.peerId, peer)
    // Ranked with zones and weights, full hosts included: they still hold what they hold.
    const ranked = rankPeers(cid, this.ctx.storingHosts().filter(h => hosts.has(h.peerId))).filter(id => !tried.has(id))
    const tier = ranked.slice(0, Math.max(1, this.ctx.replicas)).map(id => hosts.get(id)!)
    for (const id of this.haves.holders(cid)) {
      const peer = this.ctx.peer(id)
      if (peer !== undefined && !peer.isClosed && !tried.has(id) && !hosts.has(id)) tier.push(peer)
    }
    // A host never asks a relay (relays serve tabs and clients only: one hop, no loops).
    if (tier.length === 0 && this.ctx.role !== 'host') {
      for (const peer of this.ctx.peerList()) if (isRelayOnly(peer) && !tried.has(peer.peerId)) tier.push(peer)
    }
    return tier
  }

  private async acquire (tier: Peer[], signal?: AbortSignal): Promise<Peer | null> {
    const pick = pickPeer(tier)
    if (pick !== undefined) {
      pick.window.start()
      return pick
    }
    return await new Promise<Peer | null>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter)
        if (index >= 0) this.waiters.splice(index, 1)
        reject(new AbortError('fetch aborted', { cause: signal?.reason }))
      }
      const waiter: Waiter = {
        tier,
        resolve: (peer) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(peer)
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }
}

/** The open peer with room and the lowest load; earlier in `tier` wins ties. */
function pickPeer (tier: Peer[]): Peer | undefined {
  let best: Peer | undefined
  for (const peer of tier) {
    if (peer.isClosed || !peer.window.free) continue
    if (best === undefined || peer.window.load < best.window.load) best = peer
  }
  return best
}

/** A host that keeps no blocks but fetches them for tabs and clients from its other peers. */
function isRelayOnly (peer: Peer): boolean {
  return peer.role === 'host' && !peer.stores && peer.relays && !peer.isClosed
}

function throwIfAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AbortError('fetch aborted', { cause: signal.reason })
}
