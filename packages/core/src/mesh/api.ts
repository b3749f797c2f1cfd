/**
 * The contract between the mesh node (core/mesh) and its users: the host and
 * CLI (node-host), the web app, and the file pipelines. `MeshNode` implements
 * `Mesh`.
 */
import type { TombstoneStore } from './tombstone-store.js'
import type { BlockId } from '../block/id.js'
import type { BlockSource } from '../block/source.js'
import type { CryptoProvider } from '../crypto/provider.js'
import type { BlockSink } from '../file/put-queue.js'
import type { BlockStore, AbortOptions } from '../store/block-store.js'
import type { Connection, Transport } from '../transport/connection.js'
import type { HostStatus, IceServer, PeerInfo, PeerStatus, Role } from '../wire/messages.js'
import type { BackgroundFailure } from './failures.js'
import type { GcResult } from './gc.js'
export type { GcResult } from './gc.js'

/** An Ed25519 identity. `privateKey` may be non-extractable (browsers). */
export interface Identity {
  /** base32 multihash of the public key. */
  peerId: string
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array
  privateKey: CryptoKey
}

export interface MeshNodeInit {
  identity: Identity
  role: Role
  /** Where this node keeps blocks. Absent: it keeps none (clients, `--no-store` hosts). */
  store?: BlockStore
  /** Hosts: where verified tombstones (removed files) are saved across restarts. Absent: memory only. */
  tombstoneStore?: TombstoneStore
  /** Used to dial addresses (from `dial()`, `--peer` and gossip). */
  transports: Transport[]
  /** Join (member) token; '' for an open mesh. Hosts: `deriveMemberToken(hostKey)`, or '' when open. */
  joinToken: string
  /**
   * Hosts only, and required for them: the mesh's host key, proved to other
   * hosts in the handshake; a peer claiming `host` must prove it too.
   */
  hostKey?: string
  /**
   * A display name for people, sent in `hello` (a host's `--name`, a tab's
   * browser and OS). Sanitised and cut to `MAX_PEER_NAME_LENGTH` first.
   */
  name?: string
  /** Replica target R (default 3). */
  replicas?: number
  /** Minimum durable copies for a put to succeed (default min(2, live hosts)). */
  writeQuorum?: number
  /** Addresses this node accepts connections on, advertised in `hello`. */
  listenAddrs?: string[]
  /** Hosts: failure domain (room, rack, cloud zone), sent in `hello`; absent: the host is its own zone. */
  zone?: string
  /** Hosts: placement weight (its quota or disk size in bytes), sent in `hello`; absent: the average of the others'. */
  weight?: number
  /** Hosts: the longest expiry (ms from now) a put may ask for; then puts without one are refused too (default: no cap). */
  maxExpiry?: number
  /** Hosts: fraction of the store's quota above which it takes no new blocks (default 0.95). */
  highWater?: number
  /**
   * Hosts: relay blocks this host does not hold to the tabs and clients that
   * ask, fetched from its other directly connected peers (tabs that announced
   * them included), verified and not kept. `budget`: bytes it relays in this
   * run at most (absent: no budget). Default: on without a budget for a host
   * with a store (it fetches from other hosts for its tabs), off for one without.
   */
  relay?: RelayInit | false
  /** Hosts: STUN/TURN servers handed to every browser tab that joins (default none). */
  iceServers?: IceServer[]
  /** Milliseconds between periodic repair passes (hosts; default 60 000; 0 disables). */
  repairInterval?: number
  /** Milliseconds between garbage-collection passes (hosts; default 60 000; 0 disables). */
  gcInterval?: number
  /** Dial peers learned from gossip (default true for hosts, false otherwise). */
  autoDial?: boolean
  /**
   * Where blocks are hashed against their ids (default: the process-wide
   * `cryptoProvider()`, Web Crypto unless the platform installed one;
   * node-host installs node:crypto).
   */
  crypto?: CryptoProvider
}

export interface RelayInit {
  /** Bytes relayed in this run at most; then asks fail with `RelayBudgetError`. */
  budget?: number
}

/** What a file's blocks carry besides R in their record (core `store/record.ts`). */
export interface Lifecycle {
  /** Expiry time, ms since the Unix epoch: hosts stop serving the blocks then and reclaim them. */
  expires?: number
  /** Owner tag: SHA-256 of the file's owner secret (32 bytes). */
  owner?: Uint8Array
}

export interface PutBlockOptions extends AbortOptions, Lifecycle {
  /** Replica target R (default: the coordinating host's). */
  replicas?: number
}

export interface BlockSourceInit {
  /**
   * Per block: how long (ms) to wait for a reachable peer that has it,
   * retrying `UnavailableError` whenever a peer connects (and every second).
   * Default 0: fail at once. A tab opening a link waits, as the tab holding
   * the file may still be connecting.
   */
  wait?: number
  /**
   * Asked after each miss while waiting: false ends the wait at once with the
   * `UnavailableError` (every peer that could have the block has answered and
   * no other is on its way). Default: wait until `wait` runs out.
   */
  peersComing?: () => boolean
}

export interface BlockSinkInit extends Lifecycle {
  /** Replica target R (default: the coordinating host's). */
  replicas?: number
}

export interface PutResult {
  /** Durable copies reached. */
  copies: number
}

export interface RepairResult {
  /** Blocks checked: every held block, or (a pass due to new blocks or a follow-up) those concerned. */
  checked: number
  /** Copies sent to bring blocks back to R. */
  copied: number
  /** Blocks still under R after the pass. */
  underReplicated: number
}

/** Events a node dispatches (as `CustomEvent`s with these `detail`s). */
export interface MeshEvents {
  'peer:connect': PeerStatus
  'peer:disconnect': { peerId: string }
  /** A signaling message addressed to this node. */
  signal: { from: string, data: Uint8Array }
  /** A stored block failed verification and was quarantined. */
  'block:corrupt': { cid: string }
  /** A block reported corrupt was fetched back from peers and stored again. */
  'block:restored': { cid: string }
  /** A host told us which peers it is connected to; `peers` is `knownPeers()`. */
  gossip: { peers: PeerInfo[] }
  /** A repair pass finished (hosts). */
  repair: RepairResult
  /** A garbage-collection pass finished (hosts). */
  gc: GcResult
  /** A host handed this tab the ICE servers for its WebRTC links. */
  ice: { from: string, servers: IceServer[] }
  /** Work nobody awaits failed; also counted in `status().backgroundFailures`. */
  'background:failure': BackgroundFailure
}

export interface Mesh extends EventTarget {
  readonly peerId: string
  readonly role: Role
  start (): Promise<void>
  /** Close every connection and stop timers. */
  stop (): Promise<void>
  /** Run the handshake on an inbound connection; resolves with the peer's id once authenticated. */
  accept (conn: Connection): Promise<string>
  /** Dial an address and run the handshake; resolves with the peer's id. */
  dial (address: string, options?: AbortOptions): Promise<string>
  /** Run the handshake as initiator on an already-open connection (e.g. a WebRTC channel). */
  connect (conn: Connection, options?: AbortOptions): Promise<string>
  /** Connected, authenticated peers. */
  peers (): PeerStatus[]
  /** Fetch a block: local store first, then peers; every byte verified. Throws `UnavailableError`. */
  getBlock (cid: BlockId, options?: AbortOptions): Promise<Uint8Array>
  /**
   * Store a block with R replicas on hosts; resolves after W durable copies. Throws `ReplicationError`.
   * The bytes are hashed against `cid` first (`IntegrityError`); hosts hash what they receive too.
   */
  putBlock (cid: BlockId, bytes: Uint8Array, options?: PutBlockOptions): Promise<PutResult>
  /**
   * `getBlock` as the source `openFile`/`readFile` take. Its blocks are
   * hashed once, by the mesh (the fetcher, or a store that verifies on read),
   * and the read pipelines know it: they do not hash them again.
   */
  blockSource (init?: BlockSourceInit): BlockSource
  /**
   * Where `addFile` puts a file's blocks: as `putBlock`, without the local
   * re-hash (`addFile` named each block from these very bytes; hosts hash
   * what they receive), and a node with a store (a tab) keeps its own copy
   * first, so that its storage being full fails the put. Resolves `{copies}`.
   */
  blockSink (init?: BlockSinkInit): BlockSink
  /** Send a signaling message to a peer through the hosts. */
  signal (to: string, data: Uint8Array): Promise<void>
  /** This node's status (hosts: with `underReplicated`), with `backgroundFailures` per kind. */
  status (): Promise<HostStatus>
  /**
   * Ask a connected peer which of `cids` it holds (one `want` probe each,
   * answered `have`/`dont-have`, at most `PROBE_BATCH` in flight): true at
   * the index of each block it has. Throws `UnavailableError` if not connected.
   */
  heldBy (peerId: string, cids: readonly BlockId[], options?: AbortOptions): Promise<boolean[]>
  /**
   * When the file `root` expires (ms since the epoch), as the first connected
   * storing host holding it says; undefined if it never expires or no host
   * connected holds it.
   */
  expiryOf (root: BlockId, options?: AbortOptions): Promise<number | undefined>
  /** Ask a connected host for its status. */
  requestStatus (peerId: string, options?: AbortOptions): Promise<HostStatus>
  /** One repair pass now (hosts). */
  repair (options?: AbortOptions): Promise<RepairResult>
  /**
   * Remove the file `root` with its owner secret (32 bytes; its SHA-256 is the
   * owner tag its blocks were put with): every storing host drops its blocks,
   * hosts offline now when they next connect. Throws `OwnerError` for a
   * wrong secret (nothing removed), `NotFoundError` if no host holds the root.
   */
  removeFile (root: BlockId, secret: Uint8Array, options?: AbortOptions): Promise<void>
  /** One garbage-collection pass now (hosts): expired, deleted and surplus blocks. */
  gc (options?: AbortOptions): Promise<GcResult>
  /** Peers heard of through gossip, connected or not (e.g. tabs to open WebRTC channels to). */
  knownPeers (): PeerInfo[]
  /** Tabs: the STUN/TURN servers for WebRTC links, as a host last handed them (none until then, and on other nodes). */
  iceServers (): IceServer[]
  /**
   * The store found a block corrupt (e.g. `FsBlockStore`'s `onCorrupt`): drop it
   * and fetch it back from peers. Dispatches 'block:corrupt'.
   */
  reportCorrupt (cid: BlockId): void
}
