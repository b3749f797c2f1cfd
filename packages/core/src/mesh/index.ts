/**
 * `@cairn/core/mesh`: mesh internals the adapters use to run a node (the node
 * itself, its interface and identities are in `@cairn/core`): tuning defaults,
 * handshake reason codes, HRW placement, the have-probe batch, peer-id encoding, display names, and dialing (the one
 * redial backoff, keepDialing, dial time bounds).
 */
export { DEFAULT_TUNING, DEFAULT_PEER_LIMITS } from './tuning.js'
export { HANDSHAKE_REASONS, DEFAULT_HANDSHAKE_TIMEOUT } from './handshake.js'
export type { HandshakeReason } from './handshake.js'
export { rankPeers, placeBlock, placementScore, HostSet } from './placement.js'
export type { PlacementHost } from './placement.js'
export { peerName } from './peer-name.js'
export { PROBE_BATCH } from './node.js'
export { peerIdFromPublicKey, publicKeyFromPeerId } from './identity.js'
export * from '../dial/index.js'
