/** The WebSocket transport: connection wrapper, dialer and the host's `/mesh` endpoint. */
export { wrapWebSocket } from './websocket-connection.js'
export type { WebSocketConnectionInit } from './websocket-connection.js'
export { WebSocketTransport, meshUrl } from './websocket-transport.js'
export type { WebSocketTransportInit } from './websocket-transport.js'
export { attachMeshEndpoint } from './mesh-endpoint.js'
export type { MeshEndpoint, MeshEndpointInit, OnMeshConnection } from './mesh-endpoint.js'
export {
  DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_BUFFERED_CHUNKS, DEFAULT_MAX_FRAGMENTS,
  DEFAULT_SEND_HIGH_WATER_MARK, PRE_AUTH_MAX_PAYLOAD, wsOptions
} from './websocket-options.js'
export { DEFAULT_MAX_PRE_AUTH_PER_ADDRESS, DEFAULT_MAX_PRE_AUTH_SOCKETS } from './pre-auth-slots.js'
export { DEFAULT_GUESS_BACKOFF } from './handshake-limiter.js'
