import { ConnectionClosedError, InvalidArgumentError, UnavailableError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import type { Connection } from '../transport/connection.js'
import type { HelloMessage, PeersMessage, Role } from '../wire/messages.js'
import type { Identity } from './api.js'
import { settleWithin, toHex } from './bytes.js'
import { preferred, supersedes } from './dedupe.js'
import { runHandshake } from './handshake.js'
import { deriveHostSecrets } from './host-key.js'
import { NonceCache } from './nonces.js'
import { Peer } from './peer.js'
import type { PeerHandlers } from './peer.js'
import { deriveJoinKey } from './transcript.js'
import type { ResolvedTuning } from './tuning.js'

/** How long `stop` waits for connections to report closed. */
const STOP_TIMEOUT = 5_000

export interface ConnectionsInit {
  identity: Identity
  role: Role
  joinToken: string
  /** Hosts only: the mesh's host key. */
  hostKey: string | undefined
  tuning: ResolvedTuning
  /** What this node says of itself in `hello`. */
  addrs: string[]
  name: string | undefined
  stores: boolean
  /** A host that relays blocks for tabs and clients says so. */
  relays: boolean
  placement: () => Pick<HelloMessage, 'zone' | 'weight'>
  /** Our gossip for `conn`, sent once authenticated (our whole list). */
  peersMessage: (conn: Connection) => PeersMessage
  /** A host's own addresses from its hello: only those a host may dial are kept. */
  dialable: (addrs: string[], what: string) => string[]
  handlers: PeerHandlers
  /** A peer was authenticated and kept, replacing the live connection `replaced` to it, if any; `peers` is its gossip. */
  added: (peer: Peer, peers: PeersMessage, replaced: Peer | undefined) => void
}

/**
 * The node's authenticated connections: runs the handshake on each new
 * connection (with the join key and, on hosts, the host-proof key), keeps one
 * connection per peer (`dedupe.ts`) and closes them all on `stop`.
 */
export class Connections {
  private readonly init: ConnectionsInit
  private readonly connected = new Map<string, Peer>()
  private readonly handshaking = new Set<Connection>()
  private readonly nonces = new NonceCache()
  private readonly joinKey: Promise<CryptoKey>
  /** Hosts: the host-proof key from the host key. */
  private readonly hostProofKey: Promise<CryptoKey | undefined>
  private stopped = false

  constructor (init: ConnectionsInit) {
    this.init = init
    this.joinKey = deriveJoinKey(init.joinToken)
    this.joinKey.catch(() => {}) // ready() awaits it and fails with its error; this only marks it handled until then
    if (init.role === 'host' && init.hostKey === undefined) throw new InvalidArgumentError('a host needs the mesh\'s host key')
    if (init.role !== 'host' && init.hostKey !== undefined) throw new InvalidArgumentError('only hosts hold the host key')
    this.hostProofKey = init.hostKey === undefined ? Promise.resolve(undefined) : deriveHostSecrets(init.hostKey).then(s => s.proofKey)
    this.hostProofKey.catch(() => {}) // as joinKey
  }

  /** Resolves once the keys are derived; rejects with their error. */
  async ready (): Promise<void> {
    await this.joinKey
    await this.hostProofKey
  }

  /** Connected, authenticated peers. */
  list (): Peer[] {
    return [...this.connected.values()].filter(peer => !peer.isClosed)
  }

  get (peerId: string): Peer | undefined {
    return this.connected.get(peerId)
  }

  /** The connected peer `peerId`; throws `UnavailableError` if not connected. */
  live (peerId: string): Peer {
    const peer = this.connected.get(peerId)
    if (peer === undefined || peer.isClosed) throw new UnavailableError(`not connected to ${peerId}`)
    return peer
  }

  /** `peer` closed: forget it. False if it was not the kept connection to its peer. */
  remove (peer: Peer): boolean {
    if (this.connected.get(peer.peerId) !== peer) return false
    this.connected.delete(peer.peerId)
    return true
  }

  /** Close every connection (and refuse new ones); waits at most STOP_TIMEOUT for them to close. */
  async stop (): Promise<void> {
    this.stopped = true
    const closing = [...this.handshaking].map(conn => conn.closed)
    for (const conn of this.handshaking) conn.close('node stopped')
    for (const peer of this.connected.values()) {
      closing.push(peer.conn.closed)
      peer.close('node stopped')
    }
    await settleWithin(Promise.all(closing), STOP_TIMEOUT)
  }

  /**
   * Authenticate `conn` and keep it. `dialed`: this node chose the address. A
   * tab or client, which cannot check a host's proof of the host key, believes
   * a `host` claim only then.
   */
  async open (conn: Connection, initiator: boolean, dialed: boolean, options: AbortOptions = {}): Promise<string> {
    if (this.stopped) {
      conn.close('node stopped')
      throw new ConnectionClosedError('node stopped')
    }
    this.handshaking.add(conn)
    try {
      const frames = conn[Symbol.asyncIterator]()
      const result = await runHandshake({
        conn,
        frames,
        identity: this.init.identity,
        role: this.init.role,
        addrs: this.init.addrs,
        stores: this.init.stores,
        relays: this.init.relays,
        ...(this.init.name === undefined ? {} : { name: this.init.name }),
        placement: this.init.placement(),
        joinKey: await this.joinKey,
        ...await this.hostProof(dialed),
        initiator,
        nonces: this.nonces,
        peersMessage: () => this.init.peersMessage(conn),
        timeout: this.init.tuning.handshakeTimeout,
        ...(options.signal === undefined ? {} : { signal: options.signal })
      })
      if (this.stopped) {
        conn.close('node stopped')
        throw new ConnectionClosedError('node stopped')
      }
      // A host's own addresses: only those a host may dial are kept, passed on in gossip and remembered.
      if (result.hello.role === 'host') result.hello.addrs = this.init.dialable(result.hello.addrs, `hello of ${result.hello.peerId}`)
      this.register(conn, frames, result.hello, initiator, toHex(result.transcript), result.peers)
      return result.hello.peerId
    } finally {
      this.handshaking.delete(conn)
    }
  }

  private async hostProof (dialed: boolean): Promise<{ hostProofKey?: CryptoKey, unprovenHosts?: boolean }> {
    const key = await this.hostProofKey
    return key === undefined ? { unprovenHosts: dialed } : { hostProofKey: key }
  }

  /** Add an authenticated connection; of two to one peer, keep one (see `dedupe.ts`). */
  private register (conn: Connection, frames: AsyncIterator<Uint8Array>, hello: HelloMessage, initiator: boolean, tiebreak: string, peers: PeersMessage): void {
    const peer = new Peer({
      conn,
      frames,
      hello,
      dialer: initiator ? this.init.identity.peerId : hello.peerId,
      tiebreak,
      limits: this.init.tuning.limits,
      handlers: this.init.handlers
    })
    const existing = this.connected.get(peer.peerId)
    if (existing === undefined || existing.isClosed || preferred(peer, existing)) {
      this.adopt(peer, peers)
    } else if (!supersedes(peer, existing, this.init.tuning.handshakeTimeout)) {
      peer.close('duplicate')
    } else {
      // Only its age speaks against the old connection, and the other side, by its
      // own clock, may keep it: replace it only if it is dead (no answer to a ping).
      existing.ping({ timeout: this.init.tuning.pingTimeout }).then(() => { peer.close('duplicate') }, () => {
        existing.disconnect('ERR_TIMEOUT', 'no answer to ping (a newer connection replaces it)')
        const now = this.connected.get(peer.peerId)
        if (this.stopped || (now !== undefined && !now.isClosed)) peer.close('duplicate')
        else this.adopt(peer, peers)
      })
    }
  }

  /** Make `peer` the connection to its node (closing one it replaces) and start it. */
  private adopt (peer: Peer, peers: PeersMessage): void {
    const existing = this.connected.get(peer.peerId)
    this.connected.set(peer.peerId, peer)
    existing?.close('duplicate')
    peer.start()
    this.init.added(peer, peers, existing === undefined || existing.isClosed ? undefined : existing)
  }
}
