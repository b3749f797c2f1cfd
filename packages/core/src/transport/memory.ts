import { ConnectionClosedError, FrameTooLargeError } from '../errors.js'
import { MAX_FRAME_SIZE } from '../wire/limits.js'
import type { Connection } from './connection.js'
import { DEFAULT_RECEIVE_HIGH_WATER_MARK, FrameQueue } from './frame-queue.js'

export interface MemoryPairInit {
  /** Largest frame either end carries (default `MAX_FRAME_SIZE`). */
  maxFrameSize?: number
  /** Frames buffered at each receiver before the sender stalls (default 16). */
  highWaterMark?: number
  /** Channel binding for the first end; the second end sees it mirrored. */
  channelBinding?: { local: Uint8Array, remote: Uint8Array }
  /** Addresses of the two ends (default 'memory://a', 'memory://b'); each end's `remoteAddress` is the other's. */
  addresses?: [string, string]
}

interface PendingSend {
  frame: Uint8Array
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * A connected pair of in-memory connections. A frame is copied on `send` and
 * handed to the peer's receive queue when it has room; `send` resolves only
 * then, so a reader that does not read stalls its writer after
 * `highWaterMark` frames: memory stays bounded, as on a real socket.
 */
export function memoryPair (init: MemoryPairInit = {}): [Connection, Connection] {
  const [addrA, addrB] = init.addresses ?? ['memory://a', 'memory://b']
  const binding = init.channelBinding
  const a = new MemoryConnection(init, addrB, binding)
  const b = new MemoryConnection(init, addrA, binding === undefined ? undefined : { local: binding.remote, remote: binding.local })
  a.peer = b
  b.peer = a
  return [a, b]
}

class MemoryConnection implements Connection {
  readonly maxFrameSize: number
  readonly remoteAddress: string
  readonly transport = 'memory'
  readonly channelBinding?: { local: Uint8Array, remote: Uint8Array }
  readonly stats = { bytesSent: 0, bytesReceived: 0 }
  readonly closed: Promise<void>
  peer!: MemoryConnection
  private readonly inbox: FrameQueue
  private readonly pending: PendingSend[] = []
  private isClosed = false
  private resolveClosed!: () => void

  constructor (init: MemoryPairInit, remoteAddress: string, binding?: { local: Uint8Array, remote: Uint8Array }) {
    this.maxFrameSize = init.maxFrameSize ?? MAX_FRAME_SIZE
    this.remoteAddress = remoteAddress
    if (binding !== undefined) this.channelBinding = binding
    this.inbox = new FrameQueue({
      highWaterMark: init.highWaterMark ?? DEFAULT_RECEIVE_HIGH_WATER_MARK,
      onRead: () => { this.peer.pump() }
    })
    this.closed = new Promise(resolve => { this.resolveClosed = resolve })
  }

  async send (frame: Uint8Array): Promise<void> {
    if (this.isClosed) throw new ConnectionClosedError('connection closed')
    if (frame.length > this.maxFrameSize) {
      throw new FrameTooLargeError(`frame of ${frame.length} bytes exceeds ${this.maxFrameSize}`)
    }
    const copy = frame.slice()
    return new Promise((resolve, reject) => {
      this.pending.push({ frame: copy, resolve, reject })
      this.pump()
    })
  }

  close (): void {
    if (this.isClosed) return
    this.shutDown(false)
    this.peer.shutDown(true)
  }

  [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]()
  }

  /** Move waiting frames into the peer's queue while it has room. */
  pump (): void {
    while (this.pending.length > 0 && !this.peer.inbox.full && !this.isClosed) {
      const send = this.pending.shift()!
      this.peer.inbox.push(send.frame)
      this.stats.bytesSent += send.frame.length
      this.peer.stats.bytesReceived += send.frame.length
      send.resolve()
    }
  }

  /** Local close drops unread frames; a remote close lets the reader drain them. */
  private shutDown (remote: boolean): void {
    if (this.isClosed) return
    this.isClosed = true
    for (const send of this.pending.splice(0)) send.reject(new ConnectionClosedError('connection closed'))
    if (remote) this.inbox.end()
    else this.inbox.clear()
    this.resolveClosed()
  }
}
