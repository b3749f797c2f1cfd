/**
 * `@cairn/core/wire`: what travels on a Connection: the CBOR frame codec, the
 * message types and their schemas, the frame and field limits, and the bounded
 * FrameQueue every Connection adapter buffers received frames in.
 */
export type * from './messages.js'
export { PROTOCOL_VERSION } from './messages.js'
export * from './limits.js'
export { encodeMessage, decodeMessage } from './codec.js'
export type { CodecOptions } from './codec.js'
export { blockFrame } from './block-frame.js'
export type { BlockFrame } from './block-frame.js'
export { validateMessage, MESSAGE_TYPES } from './schema.js'
export { DEFAULT_RECEIVE_HIGH_WATER_MARK, FrameQueue } from '../transport/frame-queue.js'
export type { FrameQueueInit } from '../transport/frame-queue.js'
