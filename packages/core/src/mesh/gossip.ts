import { checkDialAddress } from '../address/mesh-url.js'
import { backoffPolicy, nextDelay } from '../dial/backoff.js'
import type { Connection } from '../transport/connection.js'
import { MAX_PEERS } from '../wire/limits.js'
import type { PeerInfo, PeersMessage } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import { GossipSender } from './gossip-send.js'
import type { Peer } from './peer.js'

/*
 * Peer gossip. Every node tells each peer, right after the handshake (its whole
 * list) and then, batched, whenever its connections change (what changed, see
 * gossip-send.ts), which hosts (with their addresses) and browser tabs
 * (without) it is connected to. Only hosts are
 * believed as introducers, and a host passes on only the addresses each host
 * gave in its own authenticated hello (on a host, a `host` peer has proved the
 * host key). Addresses a host would not dial (anything but a canonical
 * `ws(s)://H:P/mesh`, `checkDialAddress`) are dropped, counted and logged
 * (`backgroundFailures.address`), never dialed nor passed on. With `autoDial`, a node dials every host it hears
 * of, so hosts form a full mesh; failed dials back off per peer, the state kept
 * on the peer's entry among those known (so as bounded as they are: up to
 * MAX_PEERS per connected host), not in a capped map whose evictions would make
 * a host ready again at once.
 * Liveness: a host heard of and not linked (its dial failed, its connection was
 * dropped, or both ends of a duplicate pair were closed) is redialed on a timer
 * once its backoff has passed, for as long as some connected host still lists
 * it, not only when the next gossip message names it: once a mesh settles no
 * message may ever come.
 */

/**
 * Longest wait before redialing a host learned from gossip. Longer than the
 * default (`DEFAULT_BACKOFF`): gossip may name many hosts (up to MAX_PEERS
 * per connected host), many of which may never be reachable from here (a
 * host advertises every interface it has), and each is redialed on a timer.
 */
const GOSSIP_BACKOFF = backoffPolicy({ max: 60_000 })
/**
 * Head start, ms, that a host gives a host with a lower peer id that it hears
 * of before dialing it itself: both hear of each other at about the same time
 * (a join), and one dial per pair, not two, keeps the duplicate connection
 * and its handshake off a busy mesh. The lower one dials at once; the higher
 * dials after this unless linked by then.
 */
const HEAD_START = 2_000
/** Random extra delay, up to this, before a timed redial, so two ends that both retry rarely dial at once. */
const REDIAL_JITTER = 250

export interface GossipInit {
  autoDial: boolean
  /** Dial one of `addrs`; resolves with the peer id reached. */
  dial: (addrs: string[]) => Promise<string>
  /** Whether to pass an address on (default: every one); a node names only addresses it would dial itself. */
  shareable?: (addr: string) => boolean
}

interface Known {
  info: PeerInfo
  /** Hosts that listed this peer. */
  via: Set<string>
  /** Not dialed before `until`; `delay`: that of the last failed dial (undefined: held back, not failed). */
  retry?: { until: number, delay: number | undefined }
}

export class Gossip {
  private readonly ctx: NodeContext
  private readonly init: GossipInit
  private readonly known = new Map<string, Known>()
  /** Per host: the peers it listed (at most MAX_PEERS, as one whole list holds). */
  private readonly told = new Map<string, Set<string>>()
  private readonly sender: GossipSender
  private readonly dialing = new Set<string>()
  /** The next timed redial of known hosts not linked, and when it is due (see `armRedial`). */
  private redialTimer: ReturnType<typeof setTimeout> | undefined
  private redialAt = Infinity
  private stopped = false

  constructor (ctx: NodeContext, init: GossipInit) {
    this.ctx = ctx
    this.init = init
    this.sender = new GossipSender(ctx, init.shareable ?? (() => true))
  }

  /** Our whole list for `conn`'s handshake; later changes reach it as deltas. */
  handshake (conn: Connection): PeersMessage {
    return this.sender.handshake(conn)
  }

  /** `peer` was linked or unlinked: tell every peer, soon. */
  changed (peer: Peer): void {
    if (!this.stopped) this.sender.changed(peer)
  }

  /** `now` replaced `old` as the connection to one peer: tell every peer if its details changed. */
  replaced (old: Peer, now: Peer): void {
    if (!this.stopped) this.sender.replaced(old, now)
  }

  stop (): void {
    this.stopped = true
    this.sender.stop()
    clearTimeout(this.redialTimer)
  }

  /** Peers learned from gossip, connected or not. */
  knownPeers (): PeerInfo[] {
    return [...this.known.values()].map(k => k.info)
  }

  /** Hosts that reported being connected to `peerId`. */
  via (peerId: string): string[] {
    return [...this.known.get(peerId)?.via ?? []]
  }

  /** A host's list (whole: it replaces what that host said before) or delta. */
  receive (from: Peer, msg: PeersMessage): void {
    if (from.role !== 'host') return
    if (msg.delta !== true) this.drop(from.peerId)
    const told = this.told.get(from.peerId) ?? new Set<string>()
    this.told.set(from.peerId, told)
    for (const peerId of msg.gone ?? []) {
      if (told.delete(peerId)) this.unlist(peerId, from.peerId)
    }
    for (const info of msg.peers) {
      if (info.peerId === this.ctx.peerId) continue
      // A host names at most MAX_PEERS peers, deltas or not: what it says is bounded.
      if (!told.has(info.peerId) && told.size >= MAX_PEERS) continue
      info.addrs = dialableAddrs(info.addrs, this.ctx, `gossip from ${from.peerId} about ${info.peerId}`)
      const entry = this.known.get(info.peerId) ?? { info, via: new Set<string>() }
      entry.info = info
      entry.via.add(from.peerId)
      told.add(info.peerId)
      this.known.set(info.peerId, entry)
      if (info.role === 'host') {
        if (info.peerId < this.ctx.peerId && this.unlinked(info)) entry.retry ??= { until: Date.now() + HEAD_START, delay: undefined }
        this.maybeDial(entry)
      }
    }
    this.armRedial()
    this.ctx.dispatch('gossip', { peers: this.knownPeers() })
  }

  /** A peer disconnected: drop what it told us, and redial it (after its backoff) if other hosts still list it. */
  forget (hostId: string): void {
    this.drop(hostId)
    this.armRedial()
  }

  /** Drop everything `hostId` listed. */
  private drop (hostId: string): void {
    for (const peerId of this.told.get(hostId) ?? []) this.unlist(peerId, hostId)
    this.told.delete(hostId)
  }

  /** `hostId` no longer lists `peerId`. */
  private unlist (peerId: string, hostId: string): void {
    const entry = this.known.get(peerId)
    if (entry === undefined) return
    entry.via.delete(hostId)
    if (entry.via.size === 0) this.known.delete(peerId)
  }

  /** Known hosts with a dial backoff (bounded as the known peers are). */
  get backoffSize (): number {
    let size = 0
    for (const entry of this.known.values()) if (entry.retry !== undefined) size++
    return size
  }

  /** A known host this node should be linked to and is not (nor dialing it). */
  private unlinked (info: PeerInfo): boolean {
    return info.role === 'host' && info.addrs.length > 0 && this.ctx.peer(info.peerId) === undefined && !this.dialing.has(info.peerId)
  }

  private maybeDial (entry: Known): void {
    const { info } = entry
    if (!this.init.autoDial || this.stopped || !this.unlinked(info)) return
    if (readyIn(entry, Date.now()) > 0) return
    this.dialing.add(info.peerId)
    // Its entry may be dropped (no host lists it any more) and another made meanwhile: only that one counts.
    const settle = (ok: boolean): void => {
      const now = this.known.get(info.peerId)
      if (now === undefined) return
      if (ok) {
        delete now.retry
        return
      }
      const delay = nextDelay(GOSSIP_BACKOFF, now.retry?.delay)
      now.retry = { until: Date.now() + delay, delay }
    }
    this.init.dial(info.addrs).then(() => {
      // A dial can succeed and still leave no link (both ends of a duplicate
      // pair closed): that counts as a failure, so redials back off.
      settle(this.ctx.peer(info.peerId) !== undefined)
    }, () => {
      // Expected: a host heard of may be down or out of reach. Not counted as a
      // background failure: the backoff retries it, and it is not among peers().
      settle(false)
    }).finally(() => {
      this.dialing.delete(info.peerId)
      this.armRedial()
    })
  }

  /**
   * Set a timer for when the first known host not linked is out of its
   * backoff (at most GOSSIP_BACKOFF.max, plus jitter), unless one is set that
   * is due no later; it dials every such host that is ready and sets the next.
   */
  private armRedial (): void {
    if (!this.init.autoDial || this.stopped) return
    const now = Date.now()
    let wait = Infinity
    for (const entry of this.known.values()) {
      if (this.unlinked(entry.info)) wait = Math.min(wait, readyIn(entry, now))
    }
    if (wait === Infinity || now + wait >= this.redialAt) return
    clearTimeout(this.redialTimer)
    const delay = wait + Math.random() * REDIAL_JITTER
    this.redialAt = now + delay
    this.redialTimer = setTimeout(() => {
      this.redialTimer = undefined
      this.redialAt = Infinity
      for (const entry of this.known.values()) this.maybeDial(entry)
      this.armRedial()
    }, delay)
  }
}

/** Ms until a known host may be dialed (0: now). */
function readyIn (entry: Known, now: number): number {
  return entry.retry === undefined ? 0 : Math.max(0, entry.retry.until - now)
}

/** `addrs` a node may dial; each other one is counted and reported as an `address` failure (`what` says where it came from). */
export function dialableAddrs (addrs: string[], ctx: Pick<NodeContext, 'failed'>, what: string): string[] {
  return addrs.filter(addr => {
    try {
      checkDialAddress(addr)
      return true
    } catch (err) {
      ctx.failed('address', Object.assign(err as Error, { message: `${(err as Error).message} (${what})` }))
      return false
    }
  })
}
