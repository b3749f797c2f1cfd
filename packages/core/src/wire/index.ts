export type * from './messages.js'
export { PROTOCOL_VERSION } from './messages.js'
export * from './limits.js'
