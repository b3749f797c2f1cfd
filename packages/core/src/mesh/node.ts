import { assertBlockId, decodeBlockId, verifyBlock } from '../block/id.js'
import { cryptoProvider } from '../crypto/provider.js'
import type { BlockId } from '../block/id.js'
import type { BlockSource } from '../block/source.js'
import { ConnectionClosedError, ExpiredError, IntegrityError, InvalidArgumentError, NotFoundError, ProtocolError, UnavailableError } from '../errors.js'
import { isExpired } from '../store/record.js'
import type { AbortOptions } from '../store/block-store.js'
import type { Connection } from '../transport/connection.js'
import { MAX_ADDR_LENGTH, MAX_ADDRS, MAX_REPLICAS } from '../wire/limits.js'
import type { HelloMessage, HostStatus, IceServer, Message, PeerInfo, PeerStatus, Role } from '../wire/messages.js'
import { validateMessage } from '../wire/schema.js'
import { Announcer } from './announce.js'
import { settleWithin, toHex } from './bytes.js'
import type { BlockSink } from '../file/put-queue.js'
import type { BlockSinkInit, BlockSourceInit, GcResult, Mesh, MeshNodeInit, PutBlockOptions, PutResult, RepairResult } from './api.js'
import { meshBlockSink, meshBlockSource } from './blocks.js'
import type { NodeContext } from './context.js'
import { supersedes } from './dedupe.js'
import { FailureCounter } from './failures.js'
import { Fetcher } from './fetch.js'
import { dialableAddrs, Gossip } from './gossip.js'
import { runHandshake } from './handshake.js'
import { HaveIndex } from './haves.js'
import { NonceCache } from './nonces.js'
import { Peer } from './peer.js'
import { peerName } from './peer-name.js'
import { putVerified } from './put.js'
import { expiryOf } from './lifecycle.js'
import { Repairer } from './repair.js'
import { Auditor } from './audit.js'
import { Retention } from './retention.js'
import { Replicator } from './replicate.js'
import { RequestServer } from './serve.js'
import { SignalRelay } from './signal.js'
import { Standing } from './standing.js'
import { nodeStatus } from './status.js'
import { deriveJoinKey } from './transcript.js'
import { deriveHostSecrets } from './host-key.js'
import { resolveTuning } from './tuning.js'
import type { MeshTuning, ResolvedTuning } from './tuning.js'

export const DEFAULT_REPLICAS = 3
export const DEFAULT_REPAIR_INTERVAL = 60_000
export const DEFAULT_GC_INTERVAL = 60_000
/** How long `stop` waits for connections to report closed. */
const STOP_TIMEOUT = 5_000
/** `want` probes in flight at once in `heldBy` (well under a peer's request limit). */
export const PROBE_BATCH = 32

/** `MeshNodeInit` plus optional time bounds and limits (tests shorten them). */
export type MeshNodeOptions = MeshNodeInit & MeshTuning

/**
 * A mesh node over any transports: handshake, gossip, block exchange,
 * placement, replication and repair. See README.md in this folder.
 */
export class MeshNode extends EventTarget implements Mesh {
  readonly peerId: string
  readonly role: Role
  private readonly init: MeshNodeOptions
  private readonly tuning: ResolvedTuning
  private readonly connected = new Map<string, Peer>()
  private readonly handshaking = new Set<Connection>()
  private readonly nonces = new NonceCache()
  private readonly joinKey: Promise<CryptoKey>
  /** Hosts: the host-proof key from the host key. */
  private readonly hostProofKey: Promise<CryptoKey | undefined>
  private readonly ctx: NodeContext
  private readonly retention: Retention
  private readonly haves = new HaveIndex()
  private readonly fetcher: Fetcher
  private readonly replicator: Replicator
  private readonly repairer: Repairer
  private readonly auditor: Auditor
  private readonly gossip: Gossip
  private readonly announcer: Announcer
  private readonly server: RequestServer
  private readonly signals: SignalRelay
  private readonly failures: FailureCounter
  private readonly addrs: string[]
  /** Display name sent in `hello`. */
  readonly name: string | undefined
  private readonly iceServerList: IceServer[]
  private receivedIce: IceServer[] = []
  /** Zone, weight and fullness for placement. */
  private readonly standing: Standing
  private keepalive: ReturnType<typeof setInterval> | undefined
  private stopped = false

  constructor (init: MeshNodeOptions) {
    super()
    this.init = init
    this.peerId = init.identity.peerId
    this.role = init.role
    this.tuning = resolveTuning(init)
    this.name = peerName(init.name)
    this.addrs = (init.listenAddrs ?? []).filter(addr => addr.length > 0 && addr.length <= MAX_ADDR_LENGTH).slice(0, MAX_ADDRS)
    // Checked as the tabs will check them, so a bad list fails here and not in every tab.
    this.iceServerList = init.iceServers === undefined ? [] : (validateMessage({ t: 'ice', servers: init.iceServers }) as { servers: IceServer[] }).servers
    this.standing = new Standing({ peerId: this.peerId, role: init.role, store: init.store, zone: init.zone, weight: init.weight, highWater: init.highWater })
    this.joinKey = deriveJoinKey(init.joinToken)
    this.joinKey.catch(() => {}) // start() awaits it and fails with its error; this only marks it handled until then
    if (init.role === 'host' && init.hostKey === undefined) throw new InvalidArgumentError('a host needs the mesh\'s host key')
    if (init.role !== 'host' && init.hostKey !== undefined) throw new InvalidArgumentError('only hosts hold the host key')
    this.hostProofKey = init.hostKey === undefined ? Promise.resolve(undefined) : deriveHostSecrets(init.hostKey).then(s => s.proofKey)
    this.hostProofKey.catch(() => {}) // as joinKey
    this.failures = new FailureCounter((type, detail) => { this.emit(type, detail) })
    this.ctx = {
      peerId: this.peerId,
      role: this.role,
      store: init.store,
      replicas: Math.min(Math.max(1, init.replicas ?? DEFAULT_REPLICAS), MAX_REPLICAS),
      writeQuorum: init.writeQuorum,
      maxExpiry: init.maxExpiry,
      tuning: this.tuning,
      peerList: () => [...this.connected.values()].filter(peer => !peer.isClosed),
      peer: (id) => this.connected.get(id),
      storingHosts: () => this.standing.storingHosts(this.ctx.peerList(), id => this.auditor.distrusted(id)),
      takesBlocks: () => this.standing.quota ? this.standing.takesBlocks() : true,
      dispatch: (type, detail) => { this.emit(type, detail) },
      held: (cid) => { this.held(cid) },
      reportCorrupt: (cid) => { this.reportCorrupt(cid) },
      failed: (kind, err) => { this.failures.record(kind, err) },
      verifyBlock: async (cid, bytes) => { await verifyBlock(cid, bytes, init.crypto ?? cryptoProvider()) },
      sha256: async (bytes) => await (init.crypto ?? cryptoProvider()).sha256(bytes)
    }
    this.fetcher = new Fetcher(this.ctx, this.haves)
    this.replicator = new Replicator(this.ctx)
    this.auditor = new Auditor(this.ctx)
    this.repairer = new Repairer(this.ctx, this.fetcher, cid => this.replicator.placing(cid), this.auditor)
    this.retention = new Retention(this.ctx, init.tombstoneStore, cid => this.replicator.placing(cid))
    this.announcer = new Announcer(this.ctx)
    this.gossip = new Gossip(this.ctx, {
      autoDial: init.autoDial ?? init.role === 'host',
      dial: async (addrs) => await this.dialAny(addrs),
      // Never recommend an address we would refuse to dial (e.g. plain ws:// from a TLS host).
      shareable: addr => init.transports.some(t => t.canDial(addr))
    })
    this.signals = new SignalRelay(this.ctx, this.gossip)
    this.server = new RequestServer(this.ctx, this.replicator, this.fetcher, this.retention.remover, async () => await this.status(), cid => { this.held(cid) })
  }

  async start (): Promise<void> {
    await this.joinKey
    await this.hostProofKey
    await this.standing.takesBlocks()
    await this.retention.load()
    this.repairer.start(this.init.repairInterval ?? DEFAULT_REPAIR_INTERVAL)
    this.retention.start(this.init.gcInterval ?? DEFAULT_GC_INTERVAL)
    const every = this.tuning.pingInterval
    if (every > 0) this.keepalive = setInterval(() => { this.ping(every) }, every)
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearInterval(this.keepalive)
    this.repairer.stop()
    this.retention.stop()
    this.gossip.stop()
    this.announcer.stop()
    const closing = [...this.handshaking].map(conn => conn.closed)
    for (const conn of this.handshaking) conn.close('node stopped')
    for (const peer of this.connected.values()) {
      closing.push(peer.conn.closed)
      peer.close('node stopped')
    }
    await settleWithin(Promise.all(closing), STOP_TIMEOUT)
    await this.retention.flush()
  }

  async accept (conn: Connection): Promise<string> {
    return await this.open(conn, false, false)
  }

  async connect (conn: Connection, options: AbortOptions = {}): Promise<string> {
    return await this.open(conn, true, false, options)
  }

  async dial (address: string, options: AbortOptions = {}): Promise<string> {
    if (this.stopped) throw new ConnectionClosedError('node stopped')
    const transport = this.init.transports.find(t => t.canDial(address))
    if (transport === undefined) throw new UnavailableError(`no transport can dial ${address}`)
    return await this.open(await transport.dial(address, options), true, true, options)
  }

  peers (): PeerStatus[] {
    return this.ctx.peerList().map(peer => peer.status())
  }

  /** Peers heard of through gossip (connected or not), e.g. tabs to open WebRTC channels to. */
  knownPeers (): PeerInfo[] {
    return this.gossip.knownPeers()
  }

  async getBlock (cid: BlockId, options: AbortOptions = {}): Promise<Uint8Array> {
    assertBlockId(cid)
    const local = await this.readLocal(cid, options)
    if (local !== undefined) return local
    const bytes = await this.fetcher.fetch(cid, options)
    if (this.init.store !== undefined) {
      await this.init.store.put(cid, bytes).then(() => { this.held(cid) }, (err: unknown) => { this.ctx.failed('cache', err) })
    }
    return bytes
  }

  async putBlock (cid: BlockId, bytes: Uint8Array, options: PutBlockOptions = {}): Promise<PutResult> {
    assertBlockId(cid)
    await this.ctx.verifyBlock(cid, bytes)
    return await putVerified(this.ctx, this.replicator, cid, bytes, options, false)
  }

  blockSource (init: BlockSourceInit = {}): BlockSource {
    return meshBlockSource(this, init)
  }

  blockSink (init: BlockSinkInit = {}): BlockSink {
    return meshBlockSink(async (cid, bytes, options) => await putVerified(this.ctx, this.replicator, cid, bytes, options, true), init)
  }

  async signal (to: string, data: Uint8Array): Promise<void> {
    await this.signals.send(to, data)
  }

  async status (): Promise<HostStatus> {
    return await nodeStatus({
      ctx: this.ctx, standing: this.standing, failures: this.failures, underReplicated: this.repairer.underReplicated, reclaimedBytes: this.retention.collector.reclaimedBytes
    })
  }

  async requestStatus (peerId: string, options: AbortOptions = {}): Promise<HostStatus> {
    const peer = this.connected.get(peerId)
    if (peer === undefined || peer.isClosed) throw new UnavailableError(`not connected to ${peerId}`)
    return await peer.requestStatus({ timeout: this.tuning.requestTimeout, ...options })
  }

  async heldBy (peerId: string, cids: readonly BlockId[], options: AbortOptions = {}): Promise<boolean[]> {
    const held: boolean[] = []
    for (let start = 0; start < cids.length; start += PROBE_BATCH) {
      const peer = this.connected.get(peerId)
      if (peer === undefined || peer.isClosed) throw new UnavailableError(`not connected to ${peerId}`)
      const batch = cids.slice(start, start + PROBE_BATCH)
      held.push(...await Promise.all(batch.map(async cid => await peer.probe(cid, { timeout: this.tuning.probeTimeout, ...options }))))
    }
    return held
  }

  async expiryOf (root: BlockId, options: AbortOptions = {}): Promise<number | undefined> {
    return await expiryOf(this.ctx, root, options)
  }

  async removeFile (root: BlockId, secret: Uint8Array, options: AbortOptions = {}): Promise<void> {
    await this.retention.remover.removeFile(root, secret, options)
  }

  async gc (options: AbortOptions = {}): Promise<GcResult> {
    return await this.retention.collector.run(options)
  }

  async repair (options: AbortOptions = {}): Promise<RepairResult> {
    return await this.repairer.run(options)
  }

  /** The store found `cid` corrupt: it is dropped and fetched back from peers. */
  reportCorrupt (cid: BlockId): void {
    this.emit('block:corrupt', { cid: cid.toString() })
    void this.repairer.restore(cid)
  }

  /** This node now keeps `cid`: tabs announce it, hosts count its copies soon. */
  private held (cid: BlockId): void {
    this.announcer.held(cid)
    this.retention.collector.stored(cid)
    this.repairer.stored()
  }

  private async readLocal (cid: BlockId, options: AbortOptions): Promise<Uint8Array | undefined> {
    if (this.init.store === undefined) return undefined
    const record = await this.init.store.record(cid, options)
    if (isExpired(record)) throw new ExpiredError(`block ${cid.toString()}: the file has expired`)
    this.retention.remover.check(cid, record)
    try {
      return await this.init.store.get(cid, options)
    } catch (err) {
      if (err instanceof IntegrityError) this.reportCorrupt(cid)
      else if (!(err instanceof NotFoundError)) throw err
      return undefined
    }
  }

  private async dialAny (addrs: string[]): Promise<string> {
    let failure: unknown
    for (const addr of addrs) {
      if (!this.init.transports.some(t => t.canDial(addr))) continue
      try {
        return await this.dial(addr)
      } catch (err) {
        failure = err
      }
    }
    throw failure ?? new UnavailableError('no dialable address')
  }

  /**
   * `dialed`: this node chose the address. A tab or client, which cannot check
   * a host's proof of the host key, believes a `host` claim only then.
   */
  private async open (conn: Connection, initiator: boolean, dialed: boolean, options: AbortOptions = {}): Promise<string> {
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
        role: this.role,
        addrs: this.addrs,
        stores: this.init.store !== undefined,
        ...(this.name === undefined ? {} : { name: this.name }),
        placement: this.standing.hello(),
        joinKey: await this.joinKey,
        ...await this.hostProof(dialed),
        initiator,
        nonces: this.nonces,
        peersMessage: (maxFrameSize) => this.gossip.message(maxFrameSize),
        timeout: this.tuning.handshakeTimeout,
        ...(options.signal === undefined ? {} : { signal: options.signal })
      })
      if (this.stopped) {
        conn.close('node stopped')
        throw new ConnectionClosedError('node stopped')
      }
      // A host's own addresses: only those a host may dial are kept, passed on in gossip and remembered.
      if (result.hello.role === 'host') result.hello.addrs = dialableAddrs(result.hello.addrs, this.ctx, `hello of ${result.hello.peerId}`)
      const peer = this.register(conn, frames, result.hello, initiator, toHex(result.transcript))
      if (peer !== undefined) this.gossip.receive(peer, result.peers)
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
  private register (conn: Connection, frames: AsyncIterator<Uint8Array>, hello: HelloMessage, initiator: boolean, tiebreak: string): Peer | undefined {
    const peer = new Peer({
      conn,
      frames,
      hello,
      dialer: initiator ? this.peerId : hello.peerId,
      tiebreak,
      limits: this.tuning.limits,
      handlers: {
        request: async (from, req) => { await this.server.handle(from, req) },
        message: (from, msg) => { this.onMessage(from, msg) },
        closed: (closed) => { this.onClosed(closed) },
        failed: (kind, err) => { this.failures.record(kind, err) }
      }
    })
    const existing = this.connected.get(peer.peerId)
    if (existing !== undefined && !existing.isClosed && !supersedes(peer, existing, this.tuning.handshakeTimeout)) {
      peer.close('duplicate')
      return undefined
    }
    this.connected.set(peer.peerId, peer)
    existing?.close('duplicate')
    peer.start()
    if (existing === undefined || existing.isClosed) this.joined(peer)
    return peer
  }

  /** ICE servers for WebRTC links: the latest list a host handed this tab, else none. */
  iceServers (): IceServer[] {
    return this.receivedIce
  }

  private joined (peer: Peer): void {
    this.emit('peer:connect', peer.status())
    this.announcer.greet(peer)
    this.retention.remover.share(peer)
    if (this.role === 'host' && peer.role === 'browser' && this.iceServerList.length > 0) {
      peer.post({ t: 'ice', servers: this.iceServerList })
    }
    this.gossip.changed()
    if (peer.role === 'host') this.repairer.schedule()
  }

  private onClosed (peer: Peer): void {
    if (this.connected.get(peer.peerId) !== peer) return
    this.connected.delete(peer.peerId)
    this.gossip.forget(peer.peerId)
    this.fetcher.pump()
    this.emit('peer:disconnect', { peerId: peer.peerId })
    if (this.stopped) return
    this.gossip.changed()
    if (peer.role === 'host') this.repairer.schedule()
  }

  private onMessage (peer: Peer, msg: Message): void {
    if (msg.t === 'peers') this.gossip.receive(peer, msg)
    else if (msg.t === 'have') this.haves.add(peer.peerId, msg.cids.map(cid => decodeBlockId(cid)))
    else if (msg.t === 'signal') this.signals.receive(peer, msg)
    else if (msg.t === 'ice') this.receiveIce(peer, msg.servers)
    else if (msg.t === 'tombstones') this.retention.remover.receive(peer, msg.secrets)
  }

  private receiveIce (peer: Peer, servers: IceServer[]): void {
    // A throw here is a protocol fault of the sender (a strike).
    if (peer.role !== 'host') throw new ProtocolError('ice from a peer that is not a host')
    if (this.role !== 'browser') throw new ProtocolError('ice sent to a node that is not a browser')
    this.receivedIce = servers
    this.emit('ice', { from: peer.peerId, servers })
  }

  private ping (idleMs: number): void {
    const now = performance.now()
    for (const peer of this.ctx.peerList()) {
      if (now - peer.lastReceived < idleMs) continue
      peer.ping({ timeout: this.tuning.pingTimeout }).catch(() => { peer.disconnect('ERR_TIMEOUT', 'no answer to ping') })
    }
  }

  private emit (type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
