export { startHost, DEFAULT_PORT, DEFAULT_LISTEN, type Host, type HostInit } from './host.js'
export { openWebServer, type WebServer } from './web-server.js'
export { PeerDialer, type PeerDialerInit } from './peer-dialer.js'
export { resolveCredentials, type CredentialOptions, type Credentials } from './credentials.js'
