export { FsBlockStore } from './store/index.js'
export { nodeCryptoProvider, installNodeCrypto, createCryptoPool } from './crypto/index.js'
export type { CryptoPool, CryptoPoolInit } from './crypto/index.js'
export type { FsBlockStoreInit, FsckOptions, FsckResult } from './store/index.js'
export {
  WebSocketTransport, attachMeshEndpoint, meshUrl, wrapWebSocket,
  DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_BUFFERED_CHUNKS, DEFAULT_MAX_FRAGMENTS,
  DEFAULT_SEND_HIGH_WATER_MARK
} from './transport/index.js'
export type { MeshEndpoint, MeshEndpointInit, WebSocketConnectionInit, WebSocketTransportInit } from './transport/index.js'
export { startHost, DEFAULT_PORT, DEFAULT_LISTEN } from './host/index.js'
export type { Host, HostInit } from './host/index.js'
export { NODE_FLAGS } from './cli/node-flags.js'
