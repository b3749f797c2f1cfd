/**
 * One bidirectional, message-oriented, ordered and reliable link to a peer.
 * Frames are opaque bytes here; `wire/` gives them meaning.
 *
 * Backpressure both ways:
 * - `send` resolves once the transport can take more; callers await it before
 *   sending again. A frame over `maxFrameSize` rejects with `FrameTooLargeError`.
 * - Receiving is pull-based: the adapter buffers only a bounded number of frames
 *   the reader has not taken, and stops reading from the network (or stalls the
 *   writer) until the reader catches up.
 */
export interface Connection extends AsyncIterable<Uint8Array> {
  /** Largest frame this connection carries. */
  readonly maxFrameSize: number
  /** Human-readable remote address, for logs and status. */
  readonly remoteAddress: string
  /** Transport name: 'websocket', 'webrtc', 'memory'. */
  readonly transport: string
  /**
   * Channel binding data bound into the handshake transcript
   * (WebRTC: DTLS fingerprints of the local and remote side).
   */
  readonly channelBinding?: { local: Uint8Array, remote: Uint8Array }
  /** Resolves when the frame is accepted and the transport has room for more. */
  send (frame: Uint8Array): Promise<void>
  /** Close the connection; pending and future sends reject, iteration ends. */
  close (reason?: string): void
  /** Resolves when the connection has closed, for whatever cause. */
  readonly closed: Promise<void>
  /** Bytes moved in each direction so far. */
  readonly stats: { bytesSent: number, bytesReceived: number }
  /**
   * Called once by the handshake when the peer has proved its identity and
   * join token. An adapter that holds unauthenticated frames to
   * `MAX_PRE_AUTH_FRAME` at the socket lifts that cap to `maxFrameSize` here.
   */
  authenticated? (): void
}

/** Dials connections to addresses of the schemes it supports. */
export interface Transport {
  readonly name: string
  /** True if this transport can dial `address` (e.g. a `ws://` URL). */
  canDial (address: string): boolean
  dial (address: string, options?: { signal?: AbortSignal }): Promise<Connection>
}
