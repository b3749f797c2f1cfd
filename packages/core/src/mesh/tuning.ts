import { DEFAULT_HANDSHAKE_TIMEOUT } from './handshake.js'

export interface PeerLimits {
  /** Requests from the peer being handled at once; more is a violation. */
  maxIncomingRequests: number
  /** Our requests in flight at the peer (must not exceed its incoming limit). */
  maxOutgoingRequests: number
  /** Puts from the peer unacknowledged at once; more is a violation. */
  maxIncomingPuts: number
  /** Our unacknowledged puts to the peer. */
  pushWindow: number
  /** Blocks read and sent to the peer at once. */
  serveConcurrency: number
  /** Faults (bad frames, bad blocks) tolerated before disconnecting. */
  maxStrikes: number
}

export const DEFAULT_PEER_LIMITS: PeerLimits = {
  maxIncomingRequests: 64,
  maxOutgoingRequests: 64,
  maxIncomingPuts: 16,
  pushWindow: 16,
  serveConcurrency: 4,
  maxStrikes: 3
}

/** Time bounds and limits of a node; the defaults suit real networks, tests shorten them. */
export interface MeshTuning {
  /** Bound on a whole handshake, ms (default 10 000). */
  handshakeTimeout?: number
  /** Minimum time a block request may take before it is retried elsewhere, ms (default 10 000). */
  requestTimeout?: number
  /** Bound on one copy of a put (a coordinated put gets twice this), ms (default 30 000). */
  putTimeout?: number
  /** Bound on a `want` probe during repair, ms (default 10 000). */
  probeTimeout?: number
  /** Ping a peer silent this long, ms (default 15 000; 0 disables keepalive). */
  pingInterval?: number
  /** A ping unanswered this long closes the connection, ms (default 10 000). */
  pingTimeout?: number
  /** Delay that batches gossip and `have` announcements, ms (default 50). */
  gossipDelay?: number
  /** Delay between a membership change and the repair pass it triggers, ms (default 1 000). */
  repairDelay?: number
  /** First delay before re-checking after a pass that left blocks under R, doubling up to the repair interval, ms (default 2 000). */
  repairRetry?: number
  /** Blocks checked at once by a repair pass (default 4). */
  repairConcurrency?: number
  /** Bytes per second a host sends for repair, all peers together (default 16 MiB/s, a fraction of a 1 Gbit/s link; 0: unlimited). */
  repairRate?: number
  /** How long a host that refused a block as full is left out of placement, ms (default 60 000). */
  fullRetry?: number
  /** Chance that repair audits one host's claim to hold a block (default 0.05; 0: repair does not audit; GC always proves the claims it drops a copy on). */
  auditChance?: number
  /** Most audits one repair pass makes (default 16). */
  auditsPerPass?: number
  /** How long a host that failed an audit is left out of placement, ms (default 3 600 000). */
  auditPenalty?: number
  /** Blocks stored more recently than this are left alone by garbage collection, ms (default 60 000). */
  gcGrace?: number
  /** Blocks a relaying host fetches for others at once; more wait their turn (default 8). */
  maxRelays?: number
  /** Bytes of relayed blocks a host holds at once, checked before each is taken (default 32 MiB; `maxRelays` blocks of ~1 MiB stay well under it). */
  maxRelayBytes?: number
  /** How long a relaying host lets a tab or client take no frame while a relayed block waits for it, before it closes that connection, ms (default 30 000). */
  relayForwardTimeout?: number
  limits?: Partial<PeerLimits>
}

export type ResolvedTuning = Required<Omit<MeshTuning, 'limits'>> & { limits: PeerLimits }

export const DEFAULT_TUNING: ResolvedTuning = {
  handshakeTimeout: DEFAULT_HANDSHAKE_TIMEOUT,
  requestTimeout: 10_000,
  putTimeout: 30_000,
  probeTimeout: 10_000,
  pingInterval: 15_000,
  pingTimeout: 10_000,
  gossipDelay: 50,
  repairDelay: 1_000,
  repairRetry: 2_000,
  repairConcurrency: 4,
  repairRate: 16 * 1024 * 1024,
  fullRetry: 60_000,
  auditChance: 0.05,
  auditsPerPass: 16,
  auditPenalty: 3_600_000,
  gcGrace: 60_000,
  maxRelays: 8,
  maxRelayBytes: 32 * 1024 * 1024,
  relayForwardTimeout: 30_000,
  limits: DEFAULT_PEER_LIMITS
}

export function resolveTuning (tuning: MeshTuning = {}): ResolvedTuning {
  const resolved = { ...DEFAULT_TUNING, limits: { ...DEFAULT_PEER_LIMITS, ...tuning.limits } }
  for (const [key, value] of Object.entries(tuning)) {
    if (key !== 'limits' && value !== undefined) (resolved as Record<string, unknown>)[key] = value
  }
  return resolved
}
