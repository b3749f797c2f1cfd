/**
 * Limits and `ws` options shared by the mesh endpoint (server) and the dialer
 * (client). `ws` 8.23 enforces, per connection:
 *  - `maxPayload`: largest message; a bigger one closes with 1009.
 *  - `maxFragments`: fragments of one message (our senders never fragment;
 *    browsers may split a large message into a few dozen frames).
 *  - `maxBufferedChunks`: socket reads held while a frame is incomplete; stops
 *    a peer that trickles a large frame in tiny TCP segments.
 * All three close the connection with 1008/1009 and an `error` event.
 * Not available in `ws`: a limit on total bytes buffered per socket (bounded
 * here by maxPayload) or on frames per second.
 */
import { MAX_FRAME_SIZE } from '@cairn/core/wire'

/** Bytes queued in user space for the socket before `send` waits for drain. */
export const DEFAULT_SEND_HIGH_WATER_MARK = 1024 * 1024
export const DEFAULT_MAX_FRAGMENTS = 1024
export const DEFAULT_MAX_BUFFERED_CHUNKS = 4096
/** Milliseconds a closing handshake may take before the socket is destroyed. */
export const DEFAULT_CLOSE_TIMEOUT = 5_000

/** `ws` options for both ends; `closeTimeout` exists in ws 8.23 but not in its typings. */
export function wsOptions (maxFrameSize = MAX_FRAME_SIZE): {
  perMessageDeflate: false
  maxPayload: number
  maxFragments: number
  maxBufferedChunks: number
  closeTimeout: number
} {
  return {
    perMessageDeflate: false,
    maxPayload: maxFrameSize,
    maxFragments: DEFAULT_MAX_FRAGMENTS,
    maxBufferedChunks: DEFAULT_MAX_BUFFERED_CHUNKS,
    closeTimeout: DEFAULT_CLOSE_TIMEOUT
  }
}
