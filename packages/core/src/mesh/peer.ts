import { decodeBlockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { CairnError, ConnectionClosedError, FrameTooLargeError, ProtocolError, WireError } from '../errors.js'
import type { Connection } from '../transport/connection.js'
import { encodeMessage, decodeMessage } from '../wire/codec.js'
import type { HelloMessage, HostStatus, Message, PeerStatus, PutMessage, Role } from '../wire/messages.js'
import { encodeRecord } from '../store/record.js'
import type { BlockRecord } from '../store/record.js'
import { settleWithin } from './bytes.js'
import { IncomingRequests } from './incoming.js'
import type { IncomingRequest } from './incoming.js'
import { splitParts } from './parts.js'
import { auditReply, pongReply, probeReply, removedReply, statusReply, storedReply, wantReply, type WantOptions } from './replies.js'
import { RequestTable } from './requests.js'
import type { ReplyHandler, RequestOptions } from './requests.js'
import { Semaphore } from './semaphore.js'
import type { PeerLimits } from './tuning.js'
import { FetchWindow } from './window.js'
import { peerName } from './peer-name.js'

/*
 * One authenticated connection. Frames are read in a loop that never waits
 * on a send (so two peers pushing at each other cannot deadlock); requests
 * are handled off the loop, bounded by per-peer limits. Sends go out one at
 * a time, each waiting for the transport's backpressure.
 */

/** How long a disconnecting side waits for its `error` frame to be taken. */
const ERROR_SEND_TIMEOUT = 1_000

export interface PeerHandlers {
  /** Handle a request; reply with `peer.send`. A throw becomes an `error` reply. */
  request: (peer: Peer, req: IncomingRequest) => Promise<void>
  /** Gossip, announcements, signaling. */
  message: (peer: Peer, msg: Message) => void
  closed: (peer: Peer, reason: string) => void
  /** A failure nobody awaits: an unawaited send, a request handler that failed unexpectedly. */
  failed: (kind: 'send' | 'serve', err: unknown) => void
}

export interface PeerInit {
  conn: Connection
  frames: AsyncIterator<Uint8Array>
  hello: HelloMessage
  /** Peer id of the side that opened the connection. */
  dialer: string
  /** Same on both sides and unique per connection: breaks ties between duplicates. */
  tiebreak: string
  limits: PeerLimits
  handlers: PeerHandlers
}

export class Peer {
  readonly peerId: string
  readonly role: Role
  readonly addrs: string[]
  readonly dialer: string
  readonly tiebreak: string
  /** When the connection was authenticated (`performance.now()`). */
  readonly since = performance.now()
  readonly conn: Connection
  readonly window = new FetchWindow()
  /** Display name from its hello, sanitised (never an identity). */
  readonly name: string | undefined
  /** False once the peer said it keeps no blocks. */
  stores: boolean
  /** A host that said in its hello that it relays blocks for tabs and clients. */
  readonly relays: boolean
  /** Its zone and weight from its hello (placement). */
  readonly zone: string | undefined
  readonly weight: number | undefined
  /** Until when (`performance.now()`) it is taken as full: it refused a block as over quota. */
  fullUntil = 0
  /** Set when the connection closes; never cleared. */
  isClosed = false
  lastReceived = performance.now()
  /** When the transport last took a frame for the peer (`performance.now()`): it is reading. */
  lastSent = performance.now()
  readonly serveSlots: Semaphore
  private strikes = 0
  private readonly limits: PeerLimits
  private readonly handlers: PeerHandlers
  private readonly frames: AsyncIterator<Uint8Array>
  private readonly requests: RequestTable
  private readonly pushSlots: Semaphore
  private readonly incoming: IncomingRequests
  private sendTail: Promise<void> = Promise.resolve()
  private readonly closing = new AbortController()

  constructor (init: PeerInit) {
    this.conn = init.conn
    this.frames = init.frames
    this.peerId = init.hello.peerId
    this.role = init.hello.role
    this.addrs = init.hello.addrs
    this.dialer = init.dialer
    this.tiebreak = init.tiebreak
    this.stores = this.role === 'host' && init.hello.stores !== false
    this.relays = this.role === 'host' && init.hello.relays === true
    this.name = peerName(init.hello.name)
    this.zone = init.hello.zone
    this.weight = init.hello.weight
    this.limits = init.limits
    this.handlers = init.handlers
    this.requests = new RequestTable({
      limit: init.limits.maxOutgoingRequests,
      stoppedAnswering: () => { if (!this.isClosed) this.disconnect('ERR_TIMEOUT', 'peer stopped answering requests') }
    })
    this.pushSlots = new Semaphore(init.limits.pushWindow)
    this.serveSlots = new Semaphore(init.limits.serveConcurrency)
    this.incoming = new IncomingRequests(init.limits)
  }

  /** Aborts once this connection closes (work done for this peer stops with it). */
  get closedSignal (): AbortSignal {
    return this.closing.signal
  }

  /** Start reading frames. */
  start (): void {
    void this.readLoop()
  }

  status (): PeerStatus {
    return {
      peerId: this.peerId,
      role: this.role,
      transport: this.conn.transport,
      addrs: this.addrs,
      bytesSent: this.conn.stats.bytesSent,
      bytesReceived: this.conn.stats.bytesReceived,
      ...(this.name === undefined ? {} : { name: this.name }),
      ...(this.relays ? { relays: true } : {})
    }
  }

  /** Queue a frame; resolves once the transport took it. */
  async send (msg: Message): Promise<void> {
    if (this.isClosed) throw new ConnectionClosedError(`connection to ${this.peerId} closed`)
    await this.sendFrame(encodeMessage(msg, { maxFrameSize: this.conn.maxFrameSize }))
  }

  /**
   * Queue a frame encoded already (`encodeMessage`, or a `blockFrame` the
   * block was read into), in order with `send`'s; resolves once the transport took it.
   */
  async sendFrame (frame: Uint8Array): Promise<void> {
    if (this.isClosed) throw new ConnectionClosedError(`connection to ${this.peerId} closed`)
    const sent = this.sendTail.then(async () => {
      await this.conn.send(frame)
      this.lastSent = performance.now()
    })
    // The tail only orders sends; this send's failure goes to its caller below.
    this.sendTail = sent.catch(() => {})
    await sent
  }

  /**
   * Send without waiting (gossip, announcements, relays, replies nobody
   * awaits). The connection closing is expected (the peer is leaving) and
   * ignored; any other failure is counted (`handlers.failed('send')`).
   */
  post (msg: Message): void {
    this.send(msg).catch((err: unknown) => { this.unsent(err) })
  }

  /** An unawaited send failed: count it unless the connection is closing. */
  private unsent (err: unknown): void {
    if (!(err instanceof ConnectionClosedError)) this.handlers.failed('send', err)
  }

  /**
   * Fetch a block: its bytes (unverified), or null if the peer does not have it.
   * `admit(total)` is asked with the block's size on its first part, before
   * anything is allocated for it: an error it returns fails the want with
   * that error (not the peer's fault), and the rest of the block is dropped as it arrives.
   * `taken(bytes)` is told each part it takes in; once the caller gave up (a
   * timeout, an abort), the rest of the block is dropped as it arrives too.
   */
  async want (cid: BlockId, options: WantOptions = {}): Promise<Uint8Array | null> {
    return await this.request(async id => { await this.send({ t: 'want', id, cid: cid.bytes }) }, wantReply(options), options)
  }

  /** Ask whether the peer holds a block. */
  async probe (cid: BlockId, options: RequestOptions = {}): Promise<boolean> {
    return (await this.probeExpiry(cid, options)) !== false
  }

  /** Ask whether the peer holds a block: false if not, else its expiry (undefined: none). */
  async probeExpiry (cid: BlockId, options: RequestOptions = {}): Promise<false | number | undefined> {
    return await this.request(async id => { await this.send({ t: 'want', id, cid: cid.bytes, probe: true }) }, probeReply, options)
  }

  /** Store a block at the peer (`replicas`: ask it to coordinate R copies). Resolves with the copies it reports. */
  async put (cid: BlockId, bytes: Uint8Array, options: RequestOptions & { replicas?: number, record?: BlockRecord } = {}): Promise<number> {
    const record = options.record === undefined ? undefined : encodeRecord(options.record)
    await this.pushSlots.acquire(options.signal)
    try {
      return await this.request(async id => {
        for (const part of splitParts(bytes, this.conn.maxFrameSize)) {
          const msg: PutMessage = { t: 'put', id, cid: cid.bytes, offset: part.offset, total: bytes.length, data: part.data }
          if (options.replicas !== undefined && part.offset === 0) msg.replicas = options.replicas
          if (record !== undefined && part.offset === 0) msg.record = record
          await this.send(msg)
        }
      }, storedReply, options)
    } finally {
      this.pushSlots.release()
    }
  }

  /**
   * Ask for bytes `[offset, offset + length)` of a block the peer says it holds
   * (a replica audit): the bytes as sent (unchecked: the caller compares them
   * with its own copy), or null if the peer says it does not have the block.
   */
  async audit (cid: BlockId, offset: number, length: number, options: RequestOptions = {}): Promise<Uint8Array | null> {
    return await this.request(async id => { await this.send({ t: 'audit', id, cid: cid.bytes, offset, length }) }, auditReply, options)
  }

  /** Ask the peer to remove the file `root` with its owner secret; true if it (or a host it asked) held the root with that tag. */
  async remove (root: BlockId, secret: Uint8Array, options: RequestOptions = {}): Promise<boolean> {
    return await this.request(async id => { await this.send({ t: 'remove', id, root: root.bytes, secret }) }, removedReply, options)
  }

  async requestStatus (options: RequestOptions = {}): Promise<HostStatus> {
    return await this.request(async id => { await this.send({ t: 'status', id }) }, statusReply, options)
  }

  async ping (options: RequestOptions = {}): Promise<void> {
    await this.request(async id => { await this.send({ t: 'ping', id }) }, pongReply, options)
  }

  /** Count a fault against the peer; disconnect after `maxStrikes`. */
  strike (reason: string): void {
    this.strikes++
    if (this.strikes >= this.limits.maxStrikes) this.disconnect('ERR_PROTOCOL', `too many faults, last: ${reason}`)
  }

  /** A fault that spends every strike at once (a failed replica audit): disconnect now. */
  forfeit (code: string, reason: string): void {
    this.strikes = this.limits.maxStrikes
    this.disconnect(code, `no strikes left: ${reason}`)
  }

  /** Tell the peer why (best effort), then close. */
  disconnect (code: string, message: string): void {
    if (this.isClosed) return
    const frame = encodeMessage({ t: 'error', code, message: message.slice(0, 512) })
    void settleWithin(this.conn.send(frame), ERROR_SEND_TIMEOUT).then(() => { this.close(message) })
    // Stop handling its frames now; the close follows once the error is out.
    this.closeLocal(message)
  }

  close (reason = 'closed'): void {
    this.closeLocal(reason)
    this.conn.close(reason)
  }

  private closeLocal (reason: string): void {
    if (this.isClosed) return
    this.isClosed = true
    const err = new ConnectionClosedError(`connection to ${this.peerId} closed: ${reason}`)
    this.requests.close(err)
    this.pushSlots.close(err)
    this.serveSlots.close(err)
    this.closing.abort(err)
    this.handlers.closed(this, reason)
  }

  private async request<T> (send: (id: number) => Promise<void>, handle: ReplyHandler<T>, options: RequestOptions): Promise<T> {
    return await this.requests.request(send, handle, options)
  }

  private async readLoop (): Promise<void> {
    try {
      for (;;) {
        const next = await this.frames.next()
        if (next.done === true || this.isClosed) break
        this.lastReceived = performance.now()
        this.receive(next.value)
      }
    } catch {
      // A transport failure ends the connection like a close.
    }
    if (!this.isClosed) this.close('connection ended')
  }

  private receive (frame: Uint8Array): void {
    let msg: Message
    try {
      msg = decodeMessage(frame, { maxFrameSize: this.conn.maxFrameSize })
    } catch (err) {
      if (err instanceof FrameTooLargeError) return this.disconnect(err.code, 'frame too large')
      const code = err instanceof WireError ? err.code : 'ERR_FRAME_MALFORMED'
      this.post({ t: 'error', code, message: 'bad frame' })
      return this.strike('bad frame')
    }
    try {
      this.dispatch(msg)
    } catch (err) {
      const code = err instanceof CairnError ? err.code : 'ERR_PROTOCOL'
      this.post({ t: 'error', code, message: (err as Error).message.slice(0, 512) })
      this.strike(`${msg.t}: ${(err as Error).message}`)
    }
  }

  private dispatch (msg: Message): void {
    switch (msg.t) {
      case 'block': case 'dont-have': case 'stored': case 'pong': case 'info': case 'proof': case 'removed':
        this.requests.reply(msg.id, msg)
        return
      case 'have': case 'error':
        if (msg.id !== undefined) this.requests.reply(msg.id, msg)
        else this.handlers.message(this, msg)
        return
      case 'ping':
        this.post({ t: 'pong', id: msg.id })
        return
      case 'want':
        if (this.admit(msg.id)) this.handle({ t: 'want', id: msg.id, cid: decodeBlockId(msg.cid), probe: msg.probe === true })
        return
      case 'status':
        if (this.admit(msg.id)) this.handle({ t: 'status', id: msg.id })
        return
      case 'audit':
        if (this.admit(msg.id)) this.handle({ t: 'audit', id: msg.id, cid: decodeBlockId(msg.cid), offset: msg.offset, length: msg.length })
        return
      case 'remove':
        if (this.admit(msg.id)) this.handle({ t: 'remove', id: msg.id, root: decodeBlockId(msg.root), secret: msg.secret })
        return
      case 'put': {
        const req = this.incoming.putPart(msg)
        if (req === 'limit') this.overLimit()
        else if (req !== undefined) this.handle(req)
        return
      }
      case 'peers': case 'signal': case 'ice': case 'tombstones':
        this.handlers.message(this, msg)
        return
      default:
        throw new ProtocolError(`${msg.t} after authentication`)
    }
  }

  private admit (id: number): boolean {
    if (this.incoming.admit(id)) return true
    this.overLimit()
    return false
  }

  private overLimit (): void {
    this.disconnect('ERR_PROTOCOL', 'too many requests in flight')
  }

  /** Run a request's handler; a throw becomes an `error` reply, and an untyped one is counted too. */
  private handle (req: IncomingRequest): void {
    this.handlers.request(this, req).catch(async (err: Error) => {
      if (!(err instanceof CairnError)) this.handlers.failed('serve', err)
      const code = err instanceof CairnError ? err.code : 'ERR_INTERNAL'
      await this.send({ t: 'error', id: req.id, code, message: err.message.slice(0, 512) })
    }).catch((err: unknown) => { this.unsent(err) }).finally(() => { this.incoming.done(req.id) })
  }
}

