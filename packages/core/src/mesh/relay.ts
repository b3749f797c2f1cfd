import type { BlockId } from '../block/id.js'
import { AbortError, RelayBudgetError, RelayBusyError, TimeoutError } from '../errors.js'
import type { Role } from '../wire/messages.js'
import type { RelayInit } from './api.js'
import type { FetchOptions } from './fetch.js'
import type { Peer } from './peer.js'
import { Semaphore } from './semaphore.js'

/*
 * A host's relay: a tab or client asks it for a block it does not hold; it
 * fetches the block from another of its directly connected peers (storing
 * hosts, tabs that announced it), verified like every fetched block, hands
 * it to the asker and keeps nothing. This is how two tabs that cannot link
 * directly (no WebRTC) still share: both reach the host.
 *
 * - One hop: a host never relays for a host (asked by a host, it answers
 *   from its own store), so no request loops.
 * - Never the asker: the fetch excludes it.
 * - Caps: `maxRelays` fetches at once; at most `maxWaiting` more wait for
 *   one (beyond that: `RelayBusyError` at once); one asker has at most
 *   `maxPerAsker` relays in that queue or running (its others wait their
 *   turn, bounded by its connection's serve slots), so a few connections
 *   cannot take every slot (per connection: identities are free with the
 *   join token, so this shares the relay between honest askers; the global
 *   caps bound a member with many; and at 2, below `serveConcurrency` 4, it
 *   halves the blocks one tab has in flight through a relay);
 *   a waiter or fetch whose asker left (its connection's signal) stops, so
 *   nothing waits or pulls a block for nobody; an asker that takes no
 *   frame in `forwardTimeout` while its block waits (it stopped reading) is
 *   disconnected, freeing the slot (a slow one that keeps reading is not);
 *   `maxRelayBytes` of blocks held at once (with
 *   the default 8 relays of blocks up to ~1 MiB the real bound is ~8 MiB;
 *   the cap guards larger tunings), and the
 *   byte budget, both checked with each block's size on its first part,
 *   before anything is allocated for it.
 * - Budget: every byte the host takes in from a source for an asker counts
 *   once, as its part arrives, whether or not the block completes, verifies
 *   or is taken by the asker (a member pairing its asks with its own lying
 *   source would otherwise move bytes through the host for free). The size a
 *   source announces is only reserved while its parts arrive (so blocks
 *   arriving at once cannot pass the budget together); what never arrives
 *   (a source that lied about the size, left or timed out) is released when
 *   its attempt ends, never charged. With none left the asker gets
 *   `RelayBudgetError` (`ERR_RELAY_BUDGET`) at once.
 */

/** Whether a node relays: a host with a store unless told not to; one without only when told to. */
export function relaysBlocks (init: { role: Role, store?: unknown, relay?: RelayInit | false }): boolean {
  return init.role === 'host' && init.relay !== false && (init.relay !== undefined || init.store !== undefined)
}

export interface RelayConfig {
  enabled: boolean
  /** Bytes relayed in this run at most; absent: no budget. */
  budget?: number
  maxRelays: number
  maxRelayBytes: number
  /** Relays waiting for a slot at most (default `maxRelays` × 4). */
  maxWaiting?: number
  /** Relays one asker has queued or running at once, at most (default 2; its others wait for one to end). */
  maxPerAsker?: number
  /** How long the asker may take no frame while a relayed block waits for it, ms (default 30 000); then its connection is closed. */
  forwardTimeout?: number
}

/** What the relay needs of the asker. */
export type RelayAsker = Pick<Peer, 'peerId' | 'role' | 'close' | 'lastSent'>

export type RelayFetch = (cid: BlockId, options: FetchOptions) => Promise<Uint8Array>

export interface RelayStats {
  relay: boolean
  relayBudget?: number
  relayedBytes: number
}

export class Relay {
  readonly enabled: boolean
  readonly budget: number | undefined
  private readonly maxRelayBytes: number
  private readonly fetch: RelayFetch
  private readonly slots: Semaphore
  private readonly maxWaiting: number
  private readonly maxPerAsker: number
  private readonly forwardTimeout: number
  /** Relays waiting for a slot now. */
  private waiting = 0
  /** Each asker's own turns (`maxPerAsker`), by the asker's connection, while it has relays. */
  private readonly perAsker = new Map<RelayAsker, { slots: Semaphore, users: number }>()
  /** Bytes of blocks taken in from sources for askers (counted against the budget). */
  private relayed = 0
  /** Bytes of admitted blocks not yet arrived (reserved against the budget). */
  private reserved = 0
  /** Bytes of blocks admitted and not yet forwarded or dropped. */
  private inFlight = 0

  constructor (config: RelayConfig, fetch: RelayFetch) {
    this.enabled = config.enabled
    this.budget = config.budget
    this.maxRelayBytes = config.maxRelayBytes
    this.slots = new Semaphore(config.maxRelays)
    this.maxWaiting = config.maxWaiting ?? config.maxRelays * 4
    this.maxPerAsker = config.maxPerAsker ?? 2
    this.forwardTimeout = config.forwardTimeout ?? 30_000
    this.fetch = fetch
  }

  stats (): RelayStats {
    return { relay: this.enabled, ...(this.enabled && this.budget !== undefined ? { relayBudget: this.budget } : {}), relayedBytes: this.relayed }
  }

  /** Bytes of relayed blocks held now (for tests and status). */
  get inFlightBytes (): number {
    return this.inFlight
  }

  /** Bytes of admitted blocks still to arrive, reserved against the budget (for tests). */
  get reservedBytes (): number {
    return this.reserved
  }

  /** Relays at once now (for tests and status). */
  get active (): number {
    return this.slots.inUse
  }

  /**
   * Relay `cid` to `asker`: fetch it (never from the asker) and pass the
   * verified bytes to `forward`, holding them against the caps until it
   * resolves. False when this host does not relay to this peer, or no other
   * peer has the block (the asker is told `dont-have`). Throws
   * `RelayBudgetError`/`RelayBusyError` for the caps, and the fetch's
   * `ExpiredError`/`DeletedError`. `signal` (the asker's connection
   * closing) stops the wait for a slot and the fetch (`AbortError`).
   */
  async serve (asker: RelayAsker, cid: BlockId, forward: (bytes: Uint8Array) => Promise<void>, signal?: AbortSignal): Promise<boolean> {
    if (!this.enabled || asker.role === 'host') return false
    this.checkBudget(0)
    const mine = this.perAsker.get(asker) ?? { slots: new Semaphore(this.maxPerAsker), users: 0 }
    this.perAsker.set(asker, mine)
    mine.users++
    try {
      // Its own turn first (a wait bounded by its connection's serve slots), then the relay's queue.
      await mine.slots.acquire(signal)
      try {
        if (this.slots.inUse >= this.slots.limit && this.waiting >= this.maxWaiting) {
          throw new RelayBusyError(`this host's relay has ${this.waiting} asks waiting, its cap`)
        }
        return await this.slotted(asker, cid, forward, signal)
      } finally {
        mine.slots.release()
      }
    } finally {
      if (--mine.users === 0) this.perAsker.delete(asker)
    }
  }

  private async slotted (asker: RelayAsker, cid: BlockId, forward: (bytes: Uint8Array) => Promise<void>, signal?: AbortSignal): Promise<boolean> {
    this.waiting++
    try {
      await this.slots.acquire(signal)
    } finally {
      this.waiting--
    }
    if (signal?.aborted === true) {
      // The asker left while this waited: nothing to fetch for.
      this.slots.release()
      throw new AbortError('the asker left before its relay started', { cause: signal.reason })
    }
    // The current attempt (one source's answer): its announced size, held in flight, and how much of it arrived.
    let held = 0
    let got = 0
    let open = true
    /** Bytes taken in for the asker: they count against the budget now, and are no longer only reserved. */
    const take = (bytes: number): void => {
      this.relayed += bytes
      const covered = Math.min(bytes, held - got)
      this.reserved -= covered
      got += covered
    }
    /** The attempt ended: its block is no longer held, and what never arrived is no longer reserved. */
    const end = (): void => {
      this.inFlight -= held
      this.reserved -= held - got
      held = 0
      got = 0
    }
    const admit = (total: number): Error | undefined => {
      // A late first part of an attempt this relay already gave up on is not taken.
      if (!open) return new RelayBusyError('this relay is no longer waiting for the block')
      // A new attempt replaces a failed one (bad hash, a source that left or lied): what it took in stays counted.
      end()
      const refusal = this.refusal(total)
      if (refusal !== undefined) return refusal
      this.inFlight += total
      this.reserved += total
      held = total
      return undefined
    }
    const taken = (bytes: number): void => {
      if (open) take(bytes)
    }
    try {
      const bytes = await this.fetch(cid, { exclude: asker.peerId, admit, taken, ...(signal === undefined ? {} : { signal }) })
      // All of it was taken in, whether or not the asker takes it (parts a fetch did not report count now).
      take(Math.max(0, bytes.length - got))
      await this.forwardWithin(asker, bytes, forward)
      return true
    } finally {
      open = false
      end()
      this.slots.release()
    }
  }

  /**
   * Hand `bytes` to the asker, closing its connection (`TimeoutError`) if
   * the transport takes no frame for it in `forwardTimeout`: an asker that
   * stops reading would hold a relay slot (and the block) for good. The
   * deadline is for no progress, not for the whole forward: any frame taken
   * for the asker restarts it (`Peer.lastSent`), its sends ahead of this
   * forward in its connection's line included, so a tab on a slow link
   * that keeps reading (a frame per `forwardTimeout`) is not closed,
   * however long its blocks take.
   */
  private async forwardWithin (asker: RelayAsker, bytes: Uint8Array, forward: (bytes: Uint8Array) => Promise<void>): Promise<void> {
    const started = performance.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    const stalled = new Promise<never>((_resolve, reject) => {
      const check = (): void => {
        const idle = performance.now() - Math.max(started, asker.lastSent)
        if (idle < this.forwardTimeout) {
          timer = setTimeout(check, this.forwardTimeout - idle)
          return
        }
        asker.close('did not take a relayed block in time')
        reject(new TimeoutError(`the asker took no frame for ${this.forwardTimeout} ms with a ${bytes.length}-byte relayed block waiting for it`))
      }
      timer = setTimeout(check, this.forwardTimeout)
    })
    try {
      await Promise.race([forward(bytes), stalled])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Why a block of `total` bytes cannot be taken now, if it cannot. */
  private refusal (total: number): Error | undefined {
    try {
      this.checkBudget(total)
    } catch (err) {
      return err as Error
    }
    if (this.inFlight + total > this.maxRelayBytes) {
      return new RelayBusyError(`this host's relay holds ${this.inFlight} bytes in flight; a ${total}-byte block would pass its cap of ${this.maxRelayBytes}`)
    }
    return undefined
  }

  /** Throws `RelayBudgetError` unless `total` more bytes fit the budget (0: unless some is left). */
  private checkBudget (total: number): void {
    if (this.budget === undefined) return
    const committed = this.relayed + this.reserved
    if (total === 0 ? committed >= this.budget : committed + total > this.budget) {
      throw new RelayBudgetError(`the host's relay budget is used up (${this.relayed} of ${this.budget} bytes relayed)`)
    }
  }
}
