/** Dialing peers: the one redial backoff policy, the keep-connected loop, and dial time bounds. See README.md. */
export { Backoff, BackoffMap, DEFAULT_BACKOFF, backoffPolicy, nextDelay } from './backoff.js'
export type { BackoffPolicy } from './backoff.js'
export { keepDialing } from './keep-dialing.js'
export { pause } from './pause.js'
export type { DialingMesh, KeepDialingInit } from './keep-dialing.js'
export { DEFAULT_CONNECT_TIMEOUT, DEFAULT_DIAL_TIMEOUT } from './timeouts.js'
