/**
 * A `Connection` over a WebRTC data channel between two tabs, negotiated by
 * simple-peer. Ordered and reliable; frames of at most 64 KiB (the mesh sends
 * larger blocks in parts). Signaling goes through the caller (`sendSignal`,
 * `signal()`), which relays it via hosts; no STUN/TURN servers by default.
 *
 * Backpressure, end to end: a data channel cannot be paused, so the receiver
 * grants credit as its reader takes frames (credit.ts) and `send` waits for
 * it; a busy receiving tab holds at most one window. `send` also waits for
 * `bufferedamountlow` once the channel itself buffers over `highWaterMark`.
 */
import Peer from '@thaunknown/simple-peer/lite.js'
import type { SimplePeerSignal } from '@thaunknown/simple-peer/lite.js'
import { ConnectionClosedError, FrameTooLargeError, HandshakeError, TimeoutError } from '@cairn/core'
import { FrameQueue } from '@cairn/core/wire'
import type { Connection } from '@cairn/core'
import {
  decodeChannelMessage, DEFAULT_CREDIT_WINDOW, encodeCredit, encodeData, ReceiveCredit, SendWindow
} from './credit.js'
import type { ChannelMessage } from './credit.js'
import { decodeSignal, encodeSignal, sdpFingerprint } from './signal-codec.js'

export const WEBRTC_MAX_FRAME_SIZE = 64 * 1024
/** `send` waits once the channel buffers more than this. */
export const DEFAULT_RTC_HIGH_WATER_MARK = 4 * 1024 * 1024
/** …until it drains below this. */
export const DEFAULT_RTC_LOW_WATER_MARK = 1024 * 1024
export const DEFAULT_RTC_CONNECT_TIMEOUT = 15_000

export interface WebRtcLinkInit {
  /** The side that creates the data channel and sends the offer. */
  initiator: boolean
  /** Relay one signaling message (already bytes) to the other side. */
  sendSignal: (data: Uint8Array) => void
  /** Default `[]`: host candidates only. A host may hand tabs a list for real networks. */
  iceServers?: RTCIceServer[]
  /** Shown as the connection's `remoteAddress` (e.g. `webrtc://<peerId>`). */
  remoteAddress?: string
  /** Credit window: bytes in flight unread by the other side (default 4 MiB). */
  window?: number
  highWaterMark?: number
  lowWaterMark?: number
  /** Give up connecting after this many milliseconds. */
  timeout?: number
}

/**
 * One side of a WebRTC link being negotiated. Feed it the other side's
 * signals with `signal()`; `connection` resolves once the channel is open.
 */
export class WebRtcLink {
  readonly connection: Promise<WebRtcConnection>
  private readonly peer: Peer
  /** Channel messages that arrived before the connection object existed. */
  private early: Uint8Array[] = []
  private earlyBytes = 0
  private onMessage: (message: Uint8Array) => void = message => {
    this.earlyBytes += message.length
    // Before credit is granted a peer may send one window; more is abuse.
    if (this.earlyBytes > this.maxEarlyBytes) this.peer.destroy()
    else this.early.push(message)
  }

  private readonly maxEarlyBytes: number
  private localFingerprint: Uint8Array | undefined
  private remoteFingerprint: Uint8Array | undefined

  constructor (init: WebRtcLinkInit) {
    this.peer = new Peer({
      initiator: init.initiator,
      config: { iceServers: init.iceServers ?? [] },
      channelConfig: { ordered: true },
      trickle: true
    })
    this.peer.on('signal', data => {
      if (typeof data.sdp === 'string') this.localFingerprint = sdpFingerprint(data.sdp)
      init.sendSignal(encodeSignal(data))
    })
    this.maxEarlyBytes = (init.window ?? DEFAULT_CREDIT_WINDOW) + WEBRTC_MAX_FRAME_SIZE + 64
    this.takeChannel()
    this.connection = this.whenConnected(init)
    this.connection.catch(() => { this.peer.destroy() })
  }

  /** Apply a signaling message from the other side. Throws `ProtocolError` if malformed. */
  signal (data: Uint8Array): void {
    const signal: SimplePeerSignal = decodeSignal(data)
    if (typeof signal.sdp === 'string') this.remoteFingerprint = sdpFingerprint(signal.sdp)
    if (!this.peer.destroyed) this.peer.signal(signal)
  }

  /** Abandon the link (and the connection, if it opened). */
  destroy (): void {
    this.peer.destroy()
  }

  /**
   * Read the data channel directly rather than through simple-peer's stream:
   * the other side may send as soon as it sees the channel open, before this
   * side's `connect`, and messages must be in the inbox before a close ends it.
   */
  private takeChannel (): void {
    const attach = (channel: RTCDataChannel): void => {
      channel.binaryType = 'arraybuffer'
      channel.onmessage = (event: MessageEvent) => {
        if (event.data instanceof ArrayBuffer) this.onMessage(new Uint8Array(event.data))
      }
    }
    if (this.peer._channel !== null) attach(this.peer._channel)
    else this.peer._pc?.addEventListener('datachannel', event => { attach(event.channel) })
  }

  private async whenConnected (init: WebRtcLinkInit): Promise<WebRtcConnection> {
    const timeout = init.timeout ?? DEFAULT_RTC_CONNECT_TIMEOUT
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new TimeoutError(`WebRTC connect timed out after ${timeout} ms`)) }, timeout)
      const done = (err?: Error): void => {
        clearTimeout(timer)
        if (err === undefined) resolve()
        else reject(err)
      }
      this.peer.once('connect', () => { done() })
      this.peer.once('error', err => { done(new ConnectionClosedError(`WebRTC failed: ${err.code ?? 'error'}`, { cause: err })) })
      this.peer.once('close', () => { done(new ConnectionClosedError('WebRTC closed while connecting')) })
    })
    const channel = this.peer._channel
    if (channel === null || this.localFingerprint === undefined || this.remoteFingerprint === undefined) {
      throw new HandshakeError('ERR_CHANNEL_BINDING', 'WebRTC link has no DTLS fingerprints to bind')
    }
    const conn = new WebRtcConnection(this.peer, channel, {
      local: this.localFingerprint,
      remote: this.remoteFingerprint
    }, init)
    this.onMessage = message => { conn.receive(message) }
    for (const message of this.early.splice(0)) conn.receive(message)
    return conn
  }
}

export class WebRtcConnection implements Connection {
  readonly maxFrameSize = WEBRTC_MAX_FRAME_SIZE
  readonly transport = 'webrtc'
  readonly remoteAddress: string
  readonly channelBinding: { local: Uint8Array, remote: Uint8Array }
  readonly stats = { bytesSent: 0, bytesReceived: 0 }
  readonly closed: Promise<void>
  private readonly inbox: FrameQueue
  private readonly window: SendWindow
  private readonly credit: ReceiveCredit
  private readonly highWaterMark: number
  private drain: Promise<void> | undefined
  private isClosed = false
  private resolveClosed!: () => void

  constructor (private readonly peer: Peer, private readonly channel: RTCDataChannel,
    binding: { local: Uint8Array, remote: Uint8Array }, init: WebRtcLinkInit) {
    this.remoteAddress = init.remoteAddress ?? 'webrtc'
    this.channelBinding = binding
    const window = init.window ?? DEFAULT_CREDIT_WINDOW
    this.window = new SendWindow(window)
    this.credit = new ReceiveCredit(bytes => { this.sendCredit(bytes) }, window / 8)
    // The peer may have one window unread here, plus one frame let through.
    // A data channel cannot be paused: the credit window bounds this queue, and `offer` catches a peer that ignores it.
    this.inbox = new FrameQueue({ highWaterMark: Infinity, maxBytes: window + WEBRTC_MAX_FRAME_SIZE, onRead: bytes => { this.credit.read(bytes) } })
    this.highWaterMark = init.highWaterMark ?? DEFAULT_RTC_HIGH_WATER_MARK
    channel.bufferedAmountLowThreshold = init.lowWaterMark ?? DEFAULT_RTC_LOW_WATER_MARK
    this.closed = new Promise(resolve => { this.resolveClosed = resolve })
    channel.addEventListener('close', () => { this.shutDown(true) })
    peer.on('close', () => { this.shutDown(true) })
    peer.on('error', () => { this.shutDown(true) })
  }

  async send (frame: Uint8Array): Promise<void> {
    if (frame.length > this.maxFrameSize) {
      throw new FrameTooLargeError(`frame of ${frame.length} bytes exceeds ${this.maxFrameSize}`)
    }
    if (this.isClosed) throw new ConnectionClosedError('connection closed')
    await this.window.reserve(frame.length)
    // Wait first too, so concurrent senders cannot overfill the channel.
    await this.drained()
    this.transmit(encodeData(frame))
    this.stats.bytesSent += frame.length
    await this.drained()
  }

  /**
   * Close after what was sent has left the channel: the data channel's own
   * closing procedure delivers queued messages first, and the peer connection
   * is torn down once it reports closed.
   */
  close (_reason?: string): void {
    if (this.isClosed) return
    this.shutDown(false)
  }

  [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]()
  }

  /** A message from the channel (called by the link). */
  receive (message: Uint8Array): void {
    if (this.isClosed) return
    let decoded: ChannelMessage
    try {
      decoded = decodeChannelMessage(message)
      if (decoded.kind === 'credit') {
        this.window.credit(decoded.bytes)
        return
      }
    } catch {
      this.shutDown(false)
      return
    }
    this.stats.bytesReceived += decoded.frame.length
    // A peer that overruns the inbox ignores its credit window.
    if (!this.inbox.offer(decoded.frame)) this.shutDown(false)
  }

  private sendCredit (bytes: number): void {
    if (!this.isClosed) this.transmit(encodeCredit(bytes))
  }

  private transmit (message: Uint8Array<ArrayBuffer>): void {
    try {
      this.channel.send(message)
    } catch (cause) {
      this.shutDown(false)
      throw new ConnectionClosedError('data channel send failed', { cause })
    }
  }

  /** Resolve once the channel buffers no more than the high-water mark. */
  private async drained (): Promise<void> {
    while (true) {
      if (this.isClosed) throw new ConnectionClosedError('connection closed')
      if (this.channel.bufferedAmount <= this.highWaterMark) return
      this.drain ??= new Promise<void>(resolve => {
        const done = (): void => {
          this.channel.removeEventListener('bufferedamountlow', done)
          this.drain = undefined
          resolve()
        }
        this.channel.addEventListener('bufferedamountlow', done)
        void this.closed.then(done)
      })
      await this.drain
    }
  }

  /** A remote close lets the reader drain what arrived; a local one drops it. */
  private shutDown (remote: boolean): void {
    if (this.isClosed) return
    this.isClosed = true
    this.window.close()
    if (remote) this.inbox.end()
    else this.inbox.clear()
    if (remote) this.peer.destroy()
    else closeGracefully(this.peer, this.channel)
    this.resolveClosed()
  }
}

/** How long a closing channel may take to flush before the link is torn down. */
const CLOSE_FLUSH_TIMEOUT = 5000

function closeGracefully (peer: Peer, channel: RTCDataChannel): void {
  const timer = setTimeout(() => { peer.destroy() }, CLOSE_FLUSH_TIMEOUT)
  channel.addEventListener('close', () => {
    clearTimeout(timer)
    peer.destroy()
  })
  channel.close()
}
