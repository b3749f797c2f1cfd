import { ConnectionClosedError, FrameTooLargeError } from '@cairn/core'
import { FrameQueue, MAX_FRAME_SIZE } from '@cairn/core/wire'
import type { Connection } from '@cairn/core'
import WebSocket from 'ws'
import { DEFAULT_SEND_HIGH_WATER_MARK, setMaxPayload } from './websocket-options.js'

export interface WebSocketConnectionInit {
  /** Shown in logs and status, e.g. `ws://10.0.0.2:4001/mesh` or `10.0.0.3:51234`. */
  remoteAddress: string
  /** Largest frame sent or received (default `MAX_FRAME_SIZE`; match the socket's `maxPayload`). */
  maxFrameSize?: number
  /** Bytes queued in user space before `send` waits for them to reach the kernel (default 1 MiB). */
  sendHighWaterMark?: number
  /** Frames buffered for the reader before the socket is paused (default 16). */
  receiveHighWaterMark?: number
  /**
   * Called once, when the handshake has verified the peer (`authenticated()`);
   * by then the socket takes frames up to `maxFrameSize` again.
   */
  onAuthenticated?: () => void
}

/** Close codes (RFC 6455 §7.4.1). */
const NORMAL = 1000
const UNSUPPORTED_DATA = 1003

/**
 * A `Connection` over an open `ws` WebSocket: binary frames only (a text frame
 * closes the connection with 1003). Backpressure both ways: `send` resolves
 * while less than `sendHighWaterMark` bytes wait in user space for the kernel
 * (counted from ws's per-message write callbacks); the receive queue holds
 * `receiveHighWaterMark` frames, beyond which the socket is paused, so TCP
 * flow control stalls the peer.
 *
 * A frame passed to `send` is written without copying (servers) or masked
 * into a copy (clients): do not change it after `send` resolves.
 *
 * A socket opened with a smaller `maxPayload` (the host's endpoint: the
 * pre-auth cap) gets `maxFrameSize` back when the handshake calls
 * `authenticated()`.
 */
export function wrapWebSocket (ws: WebSocket, init: WebSocketConnectionInit): Connection {
  return new WebSocketConnection(ws, init)
}

class WebSocketConnection implements Connection {
  readonly maxFrameSize: number
  readonly remoteAddress: string
  readonly transport = 'websocket'
  readonly stats = { bytesSent: 0, bytesReceived: 0 }
  readonly closed: Promise<void>
  private readonly ws: WebSocket
  private readonly inbox: FrameQueue
  private readonly sendHighWaterMark: number
  private readonly onAuthenticated: (() => void) | undefined
  private isAuthenticated = false
  private waiters: Array<{ resolve: () => void, reject: (err: Error) => void }> = []
  /** Bytes handed to ws whose write callback has not fired yet. */
  private unflushed = 0
  private isClosed = false

  constructor (ws: WebSocket, init: WebSocketConnectionInit) {
    this.ws = ws
    this.remoteAddress = init.remoteAddress
    this.maxFrameSize = init.maxFrameSize ?? MAX_FRAME_SIZE
    this.sendHighWaterMark = init.sendHighWaterMark ?? DEFAULT_SEND_HIGH_WATER_MARK
    this.onAuthenticated = init.onAuthenticated
    this.inbox = new FrameQueue({ highWaterMark: init.receiveHighWaterMark, onRead: () => { this.onRead() } })
    ws.binaryType = 'nodebuffer'
    this.closed = new Promise(resolve => {
      if (ws.readyState === WebSocket.CLOSED) resolve()
      ws.once('close', () => {
        this.shutDown(true)
        resolve()
      })
    })
    ws.on('message', (data, isBinary) => { this.onMessage(data, isBinary) })
    // Errors (oversized frame, bad framing, socket reset) are followed by
    // 'close'; the listener keeps them from becoming uncaught exceptions.
    ws.on('error', () => {})
    if (ws.readyState !== WebSocket.OPEN) this.shutDown(true)
  }

  async send (frame: Uint8Array): Promise<void> {
    if (this.isClosed || this.ws.readyState !== WebSocket.OPEN) throw new ConnectionClosedError('connection closed')
    if (frame.length > this.maxFrameSize) {
      throw new FrameTooLargeError(`frame of ${frame.length} bytes exceeds ${this.maxFrameSize}`)
    }
    const size = frame.length
    this.unflushed += size
    this.stats.bytesSent += size
    this.ws.send(frame, { binary: true }, () => {
      this.unflushed -= size
      if (this.unflushed < this.sendHighWaterMark) this.wake()
    })
    if (this.unflushed < this.sendHighWaterMark) return
    await new Promise<void>((resolve, reject) => { this.waiters.push({ resolve, reject }) })
  }

  close (reason = ''): void {
    if (this.isClosed) return
    this.shutDown(false)
    // Keep reading so the peer's closing frame arrives; unread frames are dropped.
    this.ws.resume()
    this.ws.close(NORMAL, truncateReason(reason))
  }

  authenticated (): void {
    if (this.isAuthenticated) return
    this.isAuthenticated = true
    setMaxPayload(this.ws, this.maxFrameSize)
    this.onAuthenticated?.()
  }

  [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]()
  }

  private onMessage (data: WebSocket.RawData, isBinary: boolean): void {
    if (this.isClosed) return
    if (!isBinary || !(data instanceof Uint8Array)) {
      this.shutDown(false)
      this.ws.resume()
      this.ws.close(UNSUPPORTED_DATA, 'binary frames only')
      return
    }
    this.stats.bytesReceived += data.length
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    if (!this.inbox.push(frame)) this.ws.pause()
  }

  private onRead (): void {
    if (!this.isClosed && this.ws.isPaused && this.inbox.size <= this.inbox.highWaterMark / 2) this.ws.resume()
  }

  private wake (): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve()
  }

  /** Local close drops unread frames; a remote close lets the reader drain them. */
  private shutDown (remote: boolean): void {
    if (this.isClosed) return
    this.isClosed = true
    for (const waiter of this.waiters.splice(0)) waiter.reject(new ConnectionClosedError('connection closed'))
    if (remote) this.inbox.end()
    else this.inbox.clear()
  }
}

/** A close reason is at most 123 bytes of UTF-8. */
function truncateReason (reason: string): string {
  const bytes = new TextEncoder().encode(reason)
  if (bytes.length <= 123) return reason
  return new TextDecoder().decode(bytes.subarray(0, 120)).replace(/\uFFFD$/, '')
}
