import type { BlockId } from '../block/id.js'
import { AbortError } from '../errors.js'
import type { BlockStore } from '../store/block-store.js'
import type { Role } from '../wire/messages.js'
import type { BackgroundKind } from './failures.js'
import type { Peer } from './peer.js'
import type { PlacementHost } from './placement.js'
import type { ResolvedTuning } from './tuning.js'

/** What the node's parts (fetch, put, repair, gossip, serving) see of the node. */
export interface NodeContext {
  readonly peerId: string
  readonly role: Role
  readonly store: BlockStore | undefined
  /** Replica target R. */
  readonly replicas: number
  /** Longest expiry accepted, ms from now (hosts' `--max-expiry`). */
  readonly maxExpiry: number | undefined
  /** Explicit W, if set. */
  readonly writeQuorum: number | undefined
  readonly tuning: ResolvedTuning
  /** Connected, authenticated peers. */
  peerList: () => Peer[]
  peer: (peerId: string) => Peer | undefined
  /** Live hosts that keep blocks: connected storing hosts, plus this node if it is one. */
  storingHosts: () => StoringHost[]
  /**
   * This node is a storing host under its high-water mark (checks its store
   * again). `true` at once, without a turn, when the store has no quota.
   */
  takesBlocks: () => true | Promise<boolean>
  dispatch: (type: string, detail: unknown) => void
  /** This node now keeps `cid` (a put or a fetched copy): announce it, recount replicas. */
  held: (cid: BlockId) => void
  /** A held block failed verification: it is dropped and fetched back from peers. */
  reportCorrupt: (cid: BlockId) => void
  /** The fetch-back of a block reported corrupt, while under way (it never rejects). */
  restoring: (cid: BlockId) => Promise<void> | undefined
  /** Count and report a failure of work nobody awaits (see failures.ts). */
  failed: (kind: BackgroundKind, err: unknown) => void
  /** SHA-256 (owner tags). */
  sha256: (bytes: Uint8Array) => Promise<Uint8Array>
  /** Throws `IntegrityError` unless `bytes` hash to `cid`. */
  verifyBlock: (cid: BlockId, bytes: Uint8Array) => Promise<void>
}

/** A live storing host as placement sees it; a full one holds and serves blocks but takes no new ones. */
export interface StoringHost extends PlacementHost {
  weight: number
  full: boolean
}

/** Hosts that take new blocks. */
export function openHosts (hosts: StoringHost[]): StoringHost[] {
  return hosts.filter(host => !host.full)
}

export function isStoringHost (peer: Peer): boolean {
  return peer.role === 'host' && peer.stores && !peer.isClosed
}

/** Whether `peerId` holds `cid` (a `want` probe); unreachable or failed counts as no. An abort is thrown. */
export async function probeHolder (ctx: NodeContext, peerId: string, cid: BlockId, signal: AbortSignal): Promise<boolean> {
  const peer = ctx.peer(peerId)
  if (peer === undefined) return false
  try {
    return await peer.probe(cid, { timeout: ctx.tuning.probeTimeout, signal })
  } catch (err) {
    if (err instanceof AbortError) throw err
    return false
  }
}

/** A host refused a block as full: leave it out of placement for `fullRetry`. */
export function markFull (ctx: NodeContext, peerId: string): void {
  const peer = ctx.peer(peerId)
  if (peer !== undefined) peer.fullUntil = performance.now() + ctx.tuning.fullRetry
}
