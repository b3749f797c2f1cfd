/**
 * The browser's native `WebSocket` as a `Connection` and `Transport`: binary
 * frames to a host's `/mesh` endpoint. `send` waits while `bufferedAmount` is
 * over the high-water mark (the API has no drain event: `buffer-drain.ts`
 * sleeps for as long as the excess should take to drain, instead of polling).
 *
 * The receive side cannot be paused, so its queue cannot push back on the
 * network: the mesh's windows of requests in flight bound it. A peer that
 * sends past `maxInboxBytes` is ignoring them, and the connection closes
 * rather than buffer without bound.
 */
import { ConnectionClosedError, FrameTooLargeError, TimeoutError } from '@cairn/core'
import { FrameQueue, MAX_FRAME_SIZE } from '@cairn/core/wire'
import { DEFAULT_CONNECT_TIMEOUT } from '@cairn/core/mesh'
import type { Connection, Transport } from '@cairn/core'
import { BufferDrain, type DrainClock } from './buffer-drain.js'

/** Bytes a browser connection holds for its reader before it gives up on the peer. */
export const DEFAULT_INBOX_BYTES = 64 * 1024 * 1024

/** `send` waits once the socket buffers more than this, until it is down to half of it. */
export const DEFAULT_WS_HIGH_WATER_MARK = 4 * 1024 * 1024

export interface BrowserWebSocketInit {
  highWaterMark?: number
  /** How a waiting sender tells time (tests). */
  drainClock?: DrainClock
  maxInboxBytes?: number
  timeout?: number
}

export class BrowserWebSocketTransport implements Transport {
  readonly name = 'websocket'
  constructor (private readonly init: BrowserWebSocketInit = {}) {}

  canDial (address: string): boolean {
    return /^wss?:\/\//i.test(address)
  }

  async dial (address: string, options: { signal?: AbortSignal } = {}): Promise<Connection> {
    return openWebSocket(address, { ...this.init, ...options })
  }
}

/** Open a WebSocket and resolve once it is connected. */
export async function openWebSocket (url: string,
  init: BrowserWebSocketInit & { signal?: AbortSignal } = {}): Promise<BrowserWebSocketConnection> {
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  const timeout = init.timeout ?? DEFAULT_CONNECT_TIMEOUT
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => {
      cleanup()
      ws.close()
      reject(err)
    }
    const onOpen = (): void => { cleanup(); resolve() }
    const onError = (): void => { fail(new ConnectionClosedError(`cannot connect to ${url}`)) }
    const onAbort = (): void => { fail(new ConnectionClosedError('connect aborted', { cause: init.signal?.reason })) }
    const timer = setTimeout(() => { fail(new TimeoutError(`connecting to ${url} timed out`)) }, timeout)
    const cleanup = (): void => {
      clearTimeout(timer)
      ws.removeEventListener('open', onOpen)
      ws.removeEventListener('error', onError)
      ws.removeEventListener('close', onError)
      init.signal?.removeEventListener('abort', onAbort)
    }
    ws.addEventListener('open', onOpen)
    ws.addEventListener('error', onError)
    ws.addEventListener('close', onError)
    init.signal?.addEventListener('abort', onAbort)
  })
  return new BrowserWebSocketConnection(ws, init)
}

export class BrowserWebSocketConnection implements Connection {
  readonly maxFrameSize = MAX_FRAME_SIZE
  readonly transport = 'websocket'
  readonly remoteAddress: string
  readonly stats = { bytesSent: 0, bytesReceived: 0 }
  readonly closed: Promise<void>
  private readonly inbox: FrameQueue
  private readonly drain: BufferDrain
  private isClosed = false
  private resolveClosed!: () => void

  constructor (private readonly ws: WebSocket, init: BrowserWebSocketInit = {}) {
    this.remoteAddress = ws.url
    this.inbox = new FrameQueue({ highWaterMark: Infinity, maxBytes: init.maxInboxBytes ?? DEFAULT_INBOX_BYTES })
    this.closed = new Promise(resolve => { this.resolveClosed = resolve })
    this.drain = new BufferDrain(() => ws.bufferedAmount, { highWaterMark: init.highWaterMark ?? DEFAULT_WS_HIGH_WATER_MARK, closed: this.closed, clock: init.drainClock })
    ws.addEventListener('message', event => { this.receive(event.data) })
    ws.addEventListener('close', () => { this.shutDown(true) })
    ws.addEventListener('error', () => { this.shutDown(true) })
  }

  async send (frame: Uint8Array): Promise<void> {
    if (frame.length > this.maxFrameSize) {
      throw new FrameTooLargeError(`frame of ${frame.length} bytes exceeds ${this.maxFrameSize}`)
    }
    await this.drain.drained()
    this.ws.send(frame)
    this.stats.bytesSent += frame.length
    await this.drain.drained()
  }

  close (reason?: string): void {
    if (this.isClosed) return
    this.ws.close(1000, reason?.slice(0, 100))
    this.shutDown(false)
  }

  [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]()
  }

  private receive (data: unknown): void {
    if (!(data instanceof ArrayBuffer)) {
      this.close('text frames are not allowed')
      return
    }
    this.stats.bytesReceived += data.byteLength
    if (!this.inbox.offer(new Uint8Array(data))) this.close('receive queue overflow')
  }

  private shutDown (remote: boolean): void {
    if (this.isClosed) return
    this.isClosed = true
    if (remote) this.inbox.end()
    else this.inbox.clear()
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close()
    this.resolveClosed()
  }
}
