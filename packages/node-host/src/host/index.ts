export { PeerDialer, type PeerDialerInit } from './peer-dialer.js'
export { resolveJoinToken, type JoinTokenOptions } from './join-token.js'
