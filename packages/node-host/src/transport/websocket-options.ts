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
 * here by maxPayload) or on frames per second. The host's endpoint starts
 * each socket at `PRE_AUTH_MAX_PAYLOAD` and raises it once the peer has
 * authenticated (`setMaxPayload`).
 */
import { MAX_FRAME_SIZE, MAX_PRE_AUTH_FRAME } from '@cairn/core/wire'
import type WebSocket from 'ws'

/** Bytes queued in user space for the socket before `send` waits for drain. */
export const DEFAULT_SEND_HIGH_WATER_MARK = 1024 * 1024
export const DEFAULT_MAX_FRAGMENTS = 1024
export const DEFAULT_MAX_BUFFERED_CHUNKS = 4096
/** Milliseconds a closing handshake may take before the socket is destroyed. */
export const DEFAULT_CLOSE_TIMEOUT = 5_000

/**
 * Largest message a host's `ws` takes on a socket that has not authenticated
 * (the dialer's frames before its `auth` has verified): a bigger frame header
 * closes the socket with 1009 before any of its payload is buffered. Twice the
 * protocol's own pre-auth cap (`MAX_PRE_AUTH_FRAME`), so a frame just over
 * that still gets the handshake's `frame-too-large` answer.
 */
export const PRE_AUTH_MAX_PAYLOAD = 2 * MAX_PRE_AUTH_FRAME

/**
 * Change the largest message `ws` accepts on an open socket. `ws` has no
 * public setter; its Receiver reads `_maxPayload` at every frame header (ws
 * 8.x). Throws if that field is missing, so an incompatible `ws` fails loudly
 * instead of leaving the pre-auth cap in place (or lifted) silently.
 */
export function setMaxPayload (ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver
  if (receiver === undefined || typeof receiver._maxPayload !== 'number') {
    throw new Error('this version of ws has no Receiver._maxPayload: cannot change the frame cap of an open socket')
  }
  receiver._maxPayload = bytes
}

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
