import { assertBlockId, decodeBlockId, verifyBlock } from '../block/id.js'
import { cryptoProvider } from '../crypto/provider.js'
import type { BlockId } from '../block/id.js'
import type { BlockSource } from '../block/source.js'
import { ConnectionClosedError, UnavailableError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import type { Connection } from '../transport/connection.js'
import { MAX_ADDR_LENGTH, MAX_ADDRS, MAX_REPLICAS } from '../wire/limits.js'
import type { HostStatus, IceServer, Message, PeerInfo, PeerStatus, Role } from '../wire/messages.js'
import { Announcer } from './announce.js'
import type { BlockSink } from '../file/put-queue.js'
import type { BlockSinkInit, BlockSourceInit, GcResult, Mesh, MeshNodeInit, PutBlockOptions, PutResult, RepairResult } from './api.js'
import { meshBlockSink, meshBlockSource } from './blocks.js'
import type { NodeContext } from './context.js'
import { Connections } from './connections.js'
import { FailureCounter } from './failures.js'
import { Fetcher } from './fetch.js'
import { dialableAddrs, Gossip } from './gossip.js'
import { HaveIndex } from './haves.js'
import { IceServers } from './ice.js'
import { startKeepalive } from './keepalive.js'
import { readLocal } from './local.js'
import type { Peer } from './peer.js'
import { peerName } from './peer-name.js'
import { putVerified } from './put.js'
import { expiryOf } from './lifecycle.js'
import { Repairer } from './repair.js'
import { Auditor } from './audit.js'
import { Retention } from './retention.js'
import { Replicator } from './replicate.js'
import { Relay, relaysBlocks } from './relay.js'
import { RequestServer } from './serve.js'
import { SignalRelay } from './signal.js'
import { Standing } from './standing.js'
import { nodeStatus } from './status.js'
import { resolveTuning } from './tuning.js'
import type { MeshTuning, ResolvedTuning } from './tuning.js'

export const DEFAULT_REPLICAS = 3
export const DEFAULT_REPAIR_INTERVAL = 60_000
export const DEFAULT_GC_INTERVAL = 60_000
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
  private readonly connections: Connections
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
  private readonly relay: Relay
  private readonly signals: SignalRelay
  private readonly failures: FailureCounter
  private readonly addrs: string[]
  /** Display name sent in `hello`. */
  readonly name: string | undefined
  private readonly ice: IceServers
  /** Zone, weight and fullness for placement. */
  private readonly standing: Standing
  private stopKeepalive = (): void => {}
  private stopped = false

  constructor (init: MeshNodeOptions) {
    super()
    this.init = init
    this.peerId = init.identity.peerId
    this.role = init.role
    this.tuning = resolveTuning(init)
    this.name = peerName(init.name)
    this.addrs = (init.listenAddrs ?? []).filter(addr => addr.length > 0 && addr.length <= MAX_ADDR_LENGTH).slice(0, MAX_ADDRS)
    this.ice = new IceServers(init.role, init.iceServers, (type, detail) => { this.emit(type, detail) })
    this.standing = new Standing({ peerId: this.peerId, role: init.role, store: init.store, zone: init.zone, weight: init.weight, highWater: init.highWater })
    this.failures = new FailureCounter((type, detail) => { this.emit(type, detail) })
    this.connections = new Connections({
      identity: init.identity,
      role: init.role,
      joinToken: init.joinToken,
      hostKey: init.hostKey,
      tuning: this.tuning,
      addrs: this.addrs,
      name: this.name,
      stores: init.store !== undefined,
      relays: relaysBlocks(init),
      placement: () => this.standing.hello(),
      peersMessage: (conn) => this.gossip.handshake(conn),
      dialable: (addrs, what) => dialableAddrs(addrs, this.ctx, what),
      handlers: {
        request: async (from, req) => { await this.server.handle(from, req) },
        message: (from, msg) => { this.onMessage(from, msg) },
        closed: (closed) => { this.onClosed(closed) },
        failed: (kind, err) => { this.failures.record(kind, err) }
      },
      added: (peer, peers, replaced) => {
        if (replaced === undefined) this.joined(peer)
        else this.gossip.replaced(replaced, peer) // its hello may differ (a restarted host on a new port)
        this.gossip.receive(peer, peers)
      }
    })
    this.ctx = {
      peerId: this.peerId,
      role: this.role,
      store: init.store,
      replicas: Math.min(Math.max(1, init.replicas ?? DEFAULT_REPLICAS), MAX_REPLICAS),
      writeQuorum: init.writeQuorum,
      maxExpiry: init.maxExpiry,
      tuning: this.tuning,
      peerList: () => this.connections.list(),
      peer: (id) => this.connections.get(id),
      storingHosts: () => this.standing.storingHosts(this.ctx.peerList(), id => this.auditor.distrusted(id)),
      takesBlocks: () => this.standing.quota ? this.standing.takesBlocks() : true,
      dispatch: (type, detail) => { this.emit(type, detail) },
      held: (cid) => { this.held(cid) },
      reportCorrupt: (cid) => { this.reportCorrupt(cid) },
      restoring: (cid) => this.repairer.restoreOf(cid),
      failed: (kind, err) => { this.failures.record(kind, err) },
      verifyBlock: async (cid, bytes) => { await verifyBlock(cid, bytes, init.crypto ?? cryptoProvider()) },
      sha256: async (bytes) => await (init.crypto ?? cryptoProvider()).sha256(bytes)
    }
    this.fetcher = new Fetcher(this.ctx, this.haves)
    this.replicator = new Replicator(this.ctx)
    this.auditor = new Auditor(this.ctx)
    this.repairer = new Repairer(this.ctx, this.fetcher, cid => this.replicator.placing(cid), this.auditor)
    this.retention = new Retention(this.ctx, init.tombstoneStore, cid => this.replicator.placing(cid), async (cid, holders, signal) => await this.auditor.confirm(cid, holders, signal))
    this.announcer = new Announcer(this.ctx)
    this.gossip = new Gossip(this.ctx, {
      autoDial: init.autoDial ?? init.role === 'host',
      dial: async (addrs) => await this.dialAny(addrs),
      // Never recommend an address we would refuse to dial (e.g. plain ws:// from a TLS host).
      shareable: addr => init.transports.some(t => t.canDial(addr))
    })
    this.signals = new SignalRelay(this.ctx, this.gossip)
    this.relay = new Relay({
      enabled: relaysBlocks(init),
      ...(init.relay === false || init.relay?.budget === undefined ? {} : { budget: init.relay.budget }),
      maxRelays: this.tuning.maxRelays,
      maxRelayBytes: this.tuning.maxRelayBytes,
      forwardTimeout: this.tuning.relayForwardTimeout
    }, async (cid, options) => await this.fetcher.fetch(cid, options))
    this.server = new RequestServer(this.ctx, this.replicator, this.relay, this.retention.remover, async () => await this.status(), cid => { this.held(cid) })
  }

  async start (): Promise<void> {
    await this.connections.ready()
    await this.standing.takesBlocks()
    await this.retention.load()
    this.repairer.start(this.init.repairInterval ?? DEFAULT_REPAIR_INTERVAL)
    this.retention.start(this.init.gcInterval ?? DEFAULT_GC_INTERVAL)
    this.stopKeepalive = startKeepalive(this.ctx)
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.stopKeepalive()
    this.repairer.stop()
    this.retention.stop()
    this.gossip.stop()
    this.announcer.stop()
    await this.connections.stop()
    await this.retention.flush()
  }

  async accept (conn: Connection): Promise<string> {
    return await this.connections.open(conn, false, false)
  }

  async connect (conn: Connection, options: AbortOptions = {}): Promise<string> {
    return await this.connections.open(conn, true, false, options)
  }

  async dial (address: string, options: AbortOptions = {}): Promise<string> {
    if (this.stopped) throw new ConnectionClosedError('node stopped')
    const transport = this.init.transports.find(t => t.canDial(address))
    if (transport === undefined) throw new UnavailableError(`no transport can dial ${address}`)
    return await this.connections.open(await transport.dial(address, options), true, true, options)
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
    const local = await readLocal(this.ctx, (id, record) => { this.retention.remover.check(id, record) }, cid, options)
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
      ctx: this.ctx, standing: this.standing, failures: this.failures, underReplicated: this.repairer.underReplicated, reclaimedBytes: this.retention.collector.reclaimedBytes, relay: this.relay
    })
  }

  async requestStatus (peerId: string, options: AbortOptions = {}): Promise<HostStatus> {
    return await this.connections.live(peerId).requestStatus({ timeout: this.tuning.requestTimeout, ...options })
  }

  async heldBy (peerId: string, cids: readonly BlockId[], options: AbortOptions = {}): Promise<boolean[]> {
    const held: boolean[] = []
    for (let start = 0; start < cids.length; start += PROBE_BATCH) {
      const peer = this.connections.live(peerId)
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
    this.repairer.stored(cid)
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

  /** ICE servers for WebRTC links: the latest list a host handed this tab, else none. */
  iceServers (): IceServer[] {
    return this.ice.list()
  }

  private joined (peer: Peer): void {
    this.emit('peer:connect', peer.status())
    this.announcer.greet(peer)
    this.retention.remover.share(peer)
    this.ice.greet(peer)
    this.gossip.changed(peer)
    if (peer.role === 'host') this.repairer.schedule()
  }

  private onClosed (peer: Peer): void {
    if (!this.connections.remove(peer)) return
    this.gossip.forget(peer.peerId)
    this.fetcher.pump()
    this.emit('peer:disconnect', { peerId: peer.peerId })
    if (this.stopped) return
    this.gossip.changed(peer)
    if (peer.role === 'host') this.repairer.schedule()
  }

  private onMessage (peer: Peer, msg: Message): void {
    if (msg.t === 'peers') this.gossip.receive(peer, msg)
    else if (msg.t === 'have') this.haves.add(peer.peerId, msg.cids.map(cid => decodeBlockId(cid)))
    else if (msg.t === 'signal') this.signals.receive(peer, msg)
    else if (msg.t === 'ice') this.ice.receive(peer, msg.servers)
    else if (msg.t === 'tombstones') this.retention.remover.receive(peer, msg.secrets)
  }

  private emit (type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
