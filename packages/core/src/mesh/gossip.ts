import { checkDialAddress } from '../address/mesh-url.js'
import { BackoffMap } from '../dial/backoff.js'
import { FRAME_OVERHEAD, MAX_ADDRS, MAX_PEERS } from '../wire/limits.js'
import type { PeerInfo, PeersMessage } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import type { Peer } from './peer.js'

/*
 * Peer gossip. Every node tells each peer, right after the handshake and
 * again (debounced) whenever its connections change, which hosts (with their
 * addresses) and browser tabs (without) it is connected to. Only hosts are
 * believed as introducers, and a host passes on only the addresses each host
 * gave in its own authenticated hello (on a host, a `host` peer has proved the
 * host key). Addresses a host would not dial (anything but a canonical
 * `ws(s)://H:P/mesh`, `checkDialAddress`) are dropped, counted and logged
 * (`backgroundFailures.address`), never dialed nor passed on. With `autoDial`, a node dials every host it hears
 * of, so hosts form a full mesh; failed dials back off per peer (`BackoffMap`).
 * Liveness: a host heard of and not linked (its dial failed, its connection was
 * dropped, or both ends of a duplicate pair were closed) is redialed on a timer
 * once its backoff has passed, for as long as some connected host still lists
 * it, not only when the next gossip message names it: once a mesh settles no
 * message may ever come.
 */

/**
 * Longest wait before redialing a host learned from gossip. Longer than the
 * default (`DEFAULT_BACKOFF`): gossip may name up to MAX_BACKOFF_ENTRIES
 * hosts, many of which may never be reachable from here (a host advertises
 * every interface it has), and each is retried on every gossip message.
 */
const GOSSIP_MAX_BACKOFF = 60_000
/** Random extra delay, up to this, before a timed redial, so two ends that both retry rarely dial at once. */
const REDIAL_JITTER = 250
/** Dial-backoff entries a node keeps, whatever gossip names. */
export const MAX_BACKOFF_ENTRIES = 1024

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
}

export class Gossip {
  private readonly ctx: NodeContext
  private readonly init: GossipInit
  private readonly known = new Map<string, Known>()
  private readonly dialing = new Set<string>()
  private readonly backoff = new BackoffMap<string>({ max: GOSSIP_MAX_BACKOFF }, MAX_BACKOFF_ENTRIES)
  private timer: ReturnType<typeof setTimeout> | undefined
  /** The next timed redial of known hosts not linked (see `armRedial`). */
  private redialTimer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor (ctx: NodeContext, init: GossipInit) {
    this.ctx = ctx
    this.init = init
  }

  /** Our view for a peer: connected hosts with addresses, tabs without; fits in one frame of `maxFrameSize`. */
  message (maxFrameSize: number): PeersMessage {
    const peers: PeerInfo[] = []
    let budget = maxFrameSize - FRAME_OVERHEAD
    const shareable = this.init.shareable ?? (() => true)
    for (const peer of this.ctx.peerList()) {
      if (peer.role === 'client') continue
      const info: PeerInfo = { peerId: peer.peerId, role: peer.role, addrs: peer.role === 'host' ? peer.addrs.filter(shareable).slice(0, MAX_ADDRS) : [] }
      if (peer.role === 'host' && peer.zone !== undefined) info.zone = peer.zone
      if (peer.role === 'host' && peer.weight !== undefined) info.weight = peer.weight
      budget -= encodedSize(info)
      if (budget < 0 || peers.length >= MAX_PEERS) break
      peers.push(info)
    }
    return { t: 'peers', peers }
  }

  /** Connections changed: tell every peer, soon. */
  changed (): void {
    if (this.stopped) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => { this.broadcast() }, this.ctx.tuning.gossipDelay)
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
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

  receive (from: Peer, msg: PeersMessage): void {
    if (from.role !== 'host') return
    this.forget(from.peerId)
    for (const info of msg.peers) {
      if (info.peerId === this.ctx.peerId) continue
      info.addrs = dialableAddrs(info.addrs, this.ctx, `gossip from ${from.peerId} about ${info.peerId}`)
      const entry = this.known.get(info.peerId) ?? { info, via: new Set<string>() }
      entry.info = info
      entry.via.add(from.peerId)
      this.known.set(info.peerId, entry)
      if (info.role === 'host') this.maybeDial(info)
    }
    this.armRedial()
    this.ctx.dispatch('gossip', { peers: this.knownPeers() })
  }

  /** A peer disconnected: drop what it told us, and redial it (after its backoff) if other hosts still list it. */
  forget (hostId: string): void {
    for (const [peerId, entry] of this.known) {
      entry.via.delete(hostId)
      if (entry.via.size === 0) this.known.delete(peerId)
    }
    this.armRedial()
  }

  private broadcast (): void {
    if (this.stopped) return
    for (const peer of this.ctx.peerList()) peer.post(this.message(peer.conn.maxFrameSize))
  }

  /** Dial-backoff entries held (bounded by MAX_BACKOFF_ENTRIES). */
  get backoffSize (): number {
    return this.backoff.size
  }

  /** A known host this node should be linked to and is not (nor dialing it). */
  private unlinked (info: PeerInfo): boolean {
    return info.role === 'host' && info.addrs.length > 0 && this.ctx.peer(info.peerId) === undefined && !this.dialing.has(info.peerId)
  }

  private maybeDial (info: PeerInfo): void {
    if (!this.init.autoDial || this.stopped || !this.unlinked(info)) return
    if (!this.backoff.ready(info.peerId)) return
    this.dialing.add(info.peerId)
    this.init.dial(info.addrs).then(() => {
      // A dial can succeed and still leave no link (both ends of a duplicate
      // pair closed): that counts as a failure, so redials back off.
      if (this.ctx.peer(info.peerId) === undefined) this.backoff.failed(info.peerId)
      else this.backoff.succeeded(info.peerId)
    }, () => {
      // Expected: a host heard of may be down or out of reach. Not counted as a
      // background failure: the backoff retries it, and it is not among peers().
      this.backoff.failed(info.peerId)
    }).finally(() => {
      this.dialing.delete(info.peerId)
      this.armRedial()
    })
  }

  /**
   * Unless one is already set, set a timer for when the first known host not
   * linked is out of its backoff (at most GOSSIP_MAX_BACKOFF, plus jitter);
   * it dials every such host that is ready and sets the next.
   */
  private armRedial (): void {
    if (!this.init.autoDial || this.stopped || this.redialTimer !== undefined) return
    const now = Date.now()
    let wait = Infinity
    for (const { info } of this.known.values()) {
      if (this.unlinked(info)) wait = Math.min(wait, this.backoff.readyIn(info.peerId, now))
    }
    if (wait === Infinity) return
    this.redialTimer = setTimeout(() => {
      this.redialTimer = undefined
      for (const { info } of this.known.values()) this.maybeDial(info)
      this.armRedial()
    }, wait + Math.random() * REDIAL_JITTER)
  }
}

/** An upper bound on the CBOR size of a peer entry (keys, headers, strings). */
export function encodedSize (info: { peerId: string, addrs: string[], zone?: string, weight?: number }): number {
  let size = 48 + info.peerId.length
  if (info.zone !== undefined) size += 8 + info.zone.length
  if (info.weight !== undefined) size += 16
  for (const addr of info.addrs) size += 9 + addr.length
  return size
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
