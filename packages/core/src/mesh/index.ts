export type * from './api.js'
export { MeshNode, DEFAULT_REPLICAS, DEFAULT_REPAIR_INTERVAL } from './node.js'
export type { MeshNodeOptions } from './node.js'
export type { MeshTuning } from './tuning.js'
export { DEFAULT_TUNING } from './tuning.js'
export type { PeerLimits } from './tuning.js'
export { DEFAULT_PEER_LIMITS } from './tuning.js'
export {
  generateIdentity, exportIdentity, importIdentity, peerIdFromPublicKey, publicKeyFromPeerId
} from './identity.js'
export type { GenerateIdentityInit, ImportIdentityInit } from './identity.js'
export { HANDSHAKE_REASONS, DEFAULT_HANDSHAKE_TIMEOUT } from './handshake.js'
export type { HandshakeReason } from './handshake.js'
export { rankPeers, placeBlock, placementScore } from './placement.js'
