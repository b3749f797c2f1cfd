/** A node's `status()`: its store's counts, its peers, replica health and background failures. */
import type { HostStatus } from '../wire/messages.js'
import { MAX_STATUS_PEERS } from '../wire/limits.js'
import type { NodeContext } from './context.js'
import type { FailureCounter } from './failures.js'
import type { Relay } from './relay.js'
import type { Standing } from './standing.js'

export interface StatusParts {
  ctx: NodeContext
  standing: Standing
  failures: FailureCounter
  /** Blocks the last repair pass found with fewer than R live copies. */
  underReplicated: number
  /** Bytes garbage collection reclaimed since the node started. */
  reclaimedBytes: number
  relay: Relay
}

export async function nodeStatus ({ ctx, standing, failures, underReplicated, reclaimedBytes, relay }: StatusParts): Promise<HostStatus> {
  const stats = ctx.store === undefined ? { blocks: 0, bytes: 0 } : await ctx.store.stats()
  const status: HostStatus = {
    peerId: ctx.peerId,
    peers: ctx.peerList().map(peer => peer.status()).slice(0, MAX_STATUS_PEERS),
    blocks: stats.blocks,
    bytes: stats.bytes,
    underReplicated,
    replicas: ctx.replicas,
    storingHosts: ctx.storingHosts().length,
    backgroundFailures: failures.snapshot(),
    reclaimedBytes
  }
  if (ctx.role === 'host') Object.assign(status, relay.stats())
  if (standing.zone !== undefined) status.zone = standing.zone
  if (stats.capacity !== undefined) {
    status.capacity = stats.capacity
    status.full = standing.isOverHighWater(stats.bytes, stats.capacity)
  }
  return status
}
