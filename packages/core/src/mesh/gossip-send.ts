import type { Connection } from '../transport/connection.js'
import { FRAME_OVERHEAD, MAX_ADDRS, MAX_PEERS } from '../wire/limits.js'
import type { PeerInfo, PeersMessage } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import type { Peer } from './peer.js'

/*
 * The sending half of gossip: which hosts (with their addresses) and tabs
 * (without) this node is connected to; clients are left out. A new link gets
 * the whole list in its handshake. After that, changes are batched
 * (`gossipDelay`) and every link gets only what changed since the previous
 * batch: a delta of the peers linked (or linked again) and gone. So a host
 * joining a mesh of N costs each host one small delta to each of its N links,
 * not its whole N-entry list (O(N²) small messages per join, not O(N³) bytes).
 * A link whose handshake list was built before the previous batch went out,
 * and that was not yet among the peers to get it, gets the whole list instead.
 * A receiver keeps at most MAX_PEERS entries per sender and ignores new ones
 * past that, and nothing would resend them: so while this node has more links
 * than that (and at the first batch after), every link gets the whole list,
 * hosts first, which replaces what it held. Likewise when more than
 * MAX_PEERS peers changed in one batch (the changes are not kept past that).
 * A batch waits `gossipDelay` after the latest change, but never more than
 * MAX_WAIT after the first: churn faster than `gossipDelay` does not hold
 * gossip back for good.
 */

/** Longest a change waits for its batch, ms (unless `gossipDelay` is longer). */
const MAX_WAIT = 1_000

export class GossipSender {
  private readonly ctx: NodeContext
  private readonly shareable: (addr: string) => boolean
  /** Peers linked, unlinked or replaced since the last batch (at most MAX_PEERS: past that, `overflow`). */
  private readonly changes = new Set<string>()
  /** More changed than `changes` holds: the next batch is whole lists. */
  private overflow = false
  /** When the pending batch goes out at the latest (Date.now() ms). */
  private deadline = 0
  /** Batches sent so far. */
  private batches = 0
  /** Per connection: the batches it is up to date with (its whole list or the deltas since). */
  private readonly upTo = new WeakMap<Connection, number>()
  private timer: ReturnType<typeof setTimeout> | undefined
  /** The previous batch went out as whole lists: more links than one list holds. */
  private over = false
  private stopped = false

  constructor (ctx: NodeContext, shareable: (addr: string) => boolean) {
    this.ctx = ctx
    this.shareable = shareable
  }

  /** The whole list for `conn`'s handshake; `conn` is up to date from here on. */
  handshake (conn: Connection): PeersMessage {
    this.upTo.set(conn, this.batches)
    return this.whole(conn.maxFrameSize)
  }

  /** Our whole list, fitting one frame of `maxFrameSize` and `MAX_PEERS`. */
  whole (maxFrameSize: number): PeersMessage {
    const peers: PeerInfo[] = []
    let budget = maxFrameSize - FRAME_OVERHEAD
    // Hosts first: if not all fit, tabs are left out, never a host.
    const listed = this.listed()
    for (const peer of [...listed.filter(p => p.role === 'host'), ...listed.filter(p => p.role !== 'host')]) {
      const info = this.info(peer)
      budget -= encodedSize(info)
      if (budget < 0 || peers.length >= MAX_PEERS) break
      peers.push(info)
    }
    return { t: 'peers', peers }
  }

  /** `peer` was linked, unlinked or replaced: tell every peer, soon. */
  changed (peer: Peer): void {
    if (this.stopped || peer.role === 'client') return
    if (!this.overflow) this.changes.add(peer.peerId)
    if (this.changes.size > MAX_PEERS) {
      this.changes.clear()
      this.overflow = true
    }
    this.schedule()
  }

  /**
   * `now` replaced `old` as the connection to one peer: tell every peer only if
   * what we say of it changed. Either way, if `now`'s handshake list was built
   * before the last batch (which went out on `old`), `now` is behind: the next
   * batch, due soon, brings it our whole list (else, in a quiet mesh, it would
   * keep the stale one for good).
   */
  replaced (old: Peer, now: Peer): void {
    if (JSON.stringify(this.info(old)) !== JSON.stringify(this.info(now))) this.changed(now)
    else if (!this.stopped && this.upTo.get(now.conn) !== this.batches) this.schedule()
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** Flush `gossipDelay` from now, or at the pending batch's deadline if sooner. */
  private schedule (): void {
    const now = Date.now()
    const delay = this.ctx.tuning.gossipDelay
    if (this.timer === undefined) this.deadline = now + Math.max(delay, MAX_WAIT)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush()
    }, Math.max(0, Math.min(delay, this.deadline - now)))
  }

  private flush (): void {
    if (this.stopped) return
    const linked: PeerInfo[] = []
    const gone: string[] = []
    for (const id of this.changes) {
      const peer = this.ctx.peer(id)
      if (peer !== undefined && !peer.isClosed) linked.push(this.info(peer))
      else gone.push(id)
    }
    this.changes.clear()
    const previous = this.batches++
    const deltas = new Map<number, PeersMessage[]>()
    const wholes = new Map<number, PeersMessage>()
    const over = this.listed().length > MAX_PEERS
    const wholeLists = over || this.over || this.overflow
    this.over = over
    this.overflow = false
    for (const peer of this.ctx.peerList()) {
      const { conn } = peer
      const current = this.upTo.get(conn) === previous
      this.upTo.set(conn, this.batches)
      if (!current || wholeLists) {
        let whole = wholes.get(conn.maxFrameSize)
        if (whole === undefined) wholes.set(conn.maxFrameSize, whole = this.whole(conn.maxFrameSize))
        peer.post(whole)
        continue
      }
      if (linked.length === 0 && gone.length === 0) continue // a batch only to bring a link up to date
      let messages = deltas.get(conn.maxFrameSize)
      if (messages === undefined) deltas.set(conn.maxFrameSize, messages = split(linked, gone, conn.maxFrameSize))
      for (const msg of messages) peer.post(msg)
    }
  }

  /** The peers gossip names: all but clients. */
  private listed (): Peer[] {
    return this.ctx.peerList().filter(peer => peer.role !== 'client')
  }

  private info (peer: Peer): PeerInfo {
    const info: PeerInfo = { peerId: peer.peerId, role: peer.role, addrs: peer.role === 'host' ? peer.addrs.filter(this.shareable).slice(0, MAX_ADDRS) : [] }
    if (peer.role === 'host' && peer.zone !== undefined) info.zone = peer.zone
    if (peer.role === 'host' && peer.weight !== undefined) info.weight = peer.weight
    return info
  }
}

/** A delta as messages that each fit one frame of `maxFrameSize` and `MAX_PEERS` per list. */
function split (linked: PeerInfo[], gone: string[], maxFrameSize: number): PeersMessage[] {
  type Delta = PeersMessage & { gone: string[] }
  const messages: Delta[] = []
  let msg: Delta = { t: 'peers', peers: [], delta: true, gone: [] }
  let budget = maxFrameSize - FRAME_OVERHEAD
  const room = (size: number, count: number): void => {
    if (size <= budget && count < MAX_PEERS) return
    messages.push(msg)
    msg = { t: 'peers', peers: [], delta: true, gone: [] }
    budget = maxFrameSize - FRAME_OVERHEAD
  }
  for (const info of linked) {
    const size = encodedSize(info)
    room(size, msg.peers.length)
    msg.peers.push(info)
    budget -= size
  }
  for (const id of gone) {
    const size = 9 + id.length
    room(size, msg.gone.length)
    msg.gone.push(id)
    budget -= size
  }
  messages.push(msg)
  return messages.map(m => m.gone.length === 0 ? { t: 'peers', peers: m.peers, delta: true } : m)
}

/** An upper bound on the CBOR size of a peer entry (keys, headers, strings). */
export function encodedSize (info: { peerId: string, addrs: string[], zone?: string, weight?: number }): number {
  let size = 48 + info.peerId.length
  if (info.zone !== undefined) size += 8 + info.zone.length
  if (info.weight !== undefined) size += 16
  for (const addr of info.addrs) size += 9 + addr.length
  return size
}
