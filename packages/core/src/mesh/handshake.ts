import { AbortError, HandshakeError, UnknownMessageError, WireError } from '../errors.js'
import type { Connection } from '../transport/connection.js'
import { decodeMessage, encodeMessage } from '../wire/codec.js'
import { MAX_PRE_AUTH_FRAME } from '../wire/limits.js'
import { PROTOCOL_VERSION } from '../wire/messages.js'
import type { AuthMessage, HelloMessage, Message, PeersMessage, Role } from '../wire/messages.js'
import type { Identity } from './api.js'
import { randomBytes, settleWithin } from './bytes.js'
import { peerIdFromPublicKey } from './identity.js'
import { NonceCache } from './nonces.js'
import { checkHostProof, checkMac, checkSignature, proveAuth, proveHost, transcriptHash } from './transcript.js'
import type { Side } from './transcript.js'

/*
 * The handshake, identical on every transport:
 *   both sides:  hello  →  (transcript)
 *   initiator:   auth  →
 *   responder:   verify it, then  auth, peers  →
 *   initiator:   verify it, then  peers  →
 * The responder proves nothing until the initiator has proved itself, so a
 * stranger who dials a host learns no MAC of the join token to guess at.
 * Frames before the peer's auth has verified are capped at 4 KiB and may only
 * be `hello`/`auth` (or an `error`); once it has, `conn.authenticated()`
 * lifts the transport's own pre-auth cap. The first frame after auth is
 * always `peers`: receiving it proves the other side verified us too, so a
 * failure on either side rejects both `dial` and `accept`. Any failure sends
 * `error {code: 'ERR_HANDSHAKE', message: reason}` and closes.
 *
 * Roles: `browser` and `client` need only the member (join) token. A peer
 * whose hello says `host` must also prove the host key (`auth.host`, an HMAC
 * over the same transcript, see host-key.ts), sent only between two nodes
 * that both claim `host`, so members never see it. A node without the host
 * key (a tab, a client) cannot check the proof: it believes a `host` claim
 * only where the caller says so (`unprovenHosts`: an address it dialed
 * itself), and refuses it elsewhere (a WebRTC channel from another tab).
 */

export const HANDSHAKE_REASONS = [
  'bad-token', 'bad-signature', 'bad-identity', 'version', 'timeout', 'unexpected-frame',
  'frame-too-large', 'malformed', 'self', 'duplicate', 'replay', 'closed', 'aborted', 'rejected', 'bad-host-key'
] as const
export type HandshakeReason = typeof HANDSHAKE_REASONS[number]

export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000
const ERR_HANDSHAKE = 'ERR_HANDSHAKE'
/** How long a failing side waits for its `error` frame to be taken. */
const ERROR_SEND_TIMEOUT = 1_000

export interface HandshakeInit {
  conn: Connection
  /** The connection's frame iterator; the authenticated peer keeps reading it. */
  frames: AsyncIterator<Uint8Array>
  identity: Identity
  role: Role
  addrs: string[]
  /** Whether this node keeps blocks (a `--no-store` host says so in its hello). */
  stores: boolean
  /** Whether this host relays blocks for tabs and clients (said in its hello). */
  relays?: boolean
  /** This node's display name, already sanitised (`peerName()`); absent: none sent. */
  name?: string
  /** A host's zone and weight, sent in its hello (placement). */
  placement?: Pick<HelloMessage, 'zone' | 'weight'>
  joinKey: CryptoKey
  /** Hosts: the host proof key (`deriveHostSecrets`); a node with `role: 'host'` must have it. */
  hostProofKey?: CryptoKey
  /** Nodes without the host key: believe a peer's `host` claim unproven (default false: refuse it). */
  unprovenHosts?: boolean
  initiator: boolean
  nonces: NonceCache
  /** The first post-auth frame (gossip), built once the peer has verified. */
  peersMessage: (maxFrameSize: number) => PeersMessage
  timeout?: number
  signal?: AbortSignal
}

export interface HandshakeResult {
  hello: HelloMessage
  peers: PeersMessage
  /** The transcript hash: the same on both sides, unique to this connection. */
  transcript: Uint8Array
}

/** Errors the remote side reported: not echoed back. */
const reportedByRemote = new WeakSet<Error>()

function fail (reason: HandshakeReason, detail: string): never {
  throw new HandshakeError(reason, `handshake failed (${reason}): ${detail}`)
}

export async function runHandshake (init: HandshakeInit): Promise<HandshakeResult> {
  const deadline = new Deadline(init.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT, init.signal)
  try {
    return await exchange(init, deadline)
  } catch (err) {
    const reason = (err instanceof HandshakeError ? err.reason : err instanceof AbortError ? 'aborted' : 'closed') as HandshakeReason
    if (!reportedByRemote.has(err as Error) && reason !== 'closed') await sendError(init.conn, reason)
    init.conn.close(`handshake: ${reason}`)
    if (err instanceof HandshakeError || err instanceof AbortError) throw err
    throw new HandshakeError('closed', 'handshake failed (closed): connection lost', { cause: err })
  } finally {
    deadline.clear()
  }
}

async function exchange (init: HandshakeInit, deadline: Deadline): Promise<HandshakeResult> {
  const { conn, initiator } = init
  const ours: HelloMessage = {
    t: 'hello',
    version: PROTOCOL_VERSION,
    peerId: init.identity.peerId,
    publicKey: init.identity.publicKey,
    role: init.role,
    nonce: randomBytes(32),
    addrs: init.addrs
  }
  if (!init.stores) ours.stores = false
  if (init.relays === true) ours.relays = true
  if (init.name !== undefined) ours.name = init.name
  Object.assign(ours, init.placement)
  const ourBytes = encodeMessage(ours)
  await deadline.race(conn.send(ourBytes))
  const theirBytes = await readFrame(init, deadline, MAX_PRE_AUTH_FRAME)
  const theirs = expect(decodePreAuth(theirBytes), 'hello')
  checkHello(theirs, ours, init.nonces)
  const transcript = await transcriptHash({
    initiatorHello: initiator ? ourBytes : theirBytes,
    responderHello: initiator ? theirBytes : ourBytes,
    ...bindingOf(conn, initiator)
  })
  if (theirs.role === 'host' && init.hostProofKey === undefined && init.unprovenHosts !== true) {
    fail('bad-host-key', 'a host claim this node cannot check')
  }
  if (initiator) {
    await sendAuth(init, deadline, 'initiator', transcript, theirs)
    await verifyAuth(init, deadline, 'responder', transcript, theirs)
  } else {
    await verifyAuth(init, deadline, 'initiator', transcript, theirs)
    await sendAuth(init, deadline, 'responder', transcript, theirs)
  }
  await deadline.race(conn.send(encodeMessage(init.peersMessage(conn.maxFrameSize), { maxFrameSize: conn.maxFrameSize })))
  const peers = expect(decodeFrame(await readFrame(init, deadline, conn.maxFrameSize), conn.maxFrameSize), 'peers')
  return { hello: theirs, peers, transcript }
}

async function sendAuth (init: HandshakeInit, deadline: Deadline, side: Side, transcript: Uint8Array, theirs: HelloMessage): Promise<void> {
  const proof = await proveAuth(side, transcript, init.identity, init.joinKey)
  const auth: AuthMessage = { t: 'auth', sig: proof.sig, mac: proof.mac }
  // Only to a peer that claims host too (and, as the responder, has proved it): members never see it.
  if (init.role === 'host' && theirs.role === 'host' && init.hostProofKey !== undefined) {
    auth.host = await proveHost(side, transcript, init.hostProofKey)
  }
  await deadline.race(init.conn.send(encodeMessage(auth)))
}

/** Read the peer's `auth` and check it: signature first (no token needed), then the MAC. */
async function verifyAuth (init: HandshakeInit, deadline: Deadline, theirSide: Side, transcript: Uint8Array, theirs: HelloMessage): Promise<void> {
  const theirAuth = expect(decodePreAuth(await readFrame(init, deadline, MAX_PRE_AUTH_FRAME)), 'auth')
  if (!await checkSignature(theirSide, transcript, theirs.publicKey, theirAuth.sig)) {
    fail('bad-signature', `${theirs.peerId} did not sign the transcript`)
  }
  if (!await checkMac(theirSide, transcript, init.joinKey, theirAuth.mac)) {
    fail('bad-token', 'the peer holds a different join token')
  }
  if (theirs.role === 'host' && init.hostProofKey !== undefined &&
      (theirAuth.host === undefined || !await checkHostProof(theirSide, transcript, init.hostProofKey, theirAuth.host))) {
    fail('bad-host-key', `${theirs.peerId} claims to be a host without the host key`)
  }
  init.conn.authenticated?.()
}

function bindingOf (conn: Connection, initiator: boolean): { binding?: { initiator: Uint8Array, responder: Uint8Array } } {
  const b = conn.channelBinding
  if (b === undefined) return {}
  return { binding: initiator ? { initiator: b.local, responder: b.remote } : { initiator: b.remote, responder: b.local } }
}

function checkHello (theirs: HelloMessage, ours: HelloMessage, nonces: NonceCache): void {
  if (theirs.version !== PROTOCOL_VERSION) fail('version', `peer speaks version ${theirs.version}, not ${PROTOCOL_VERSION}`)
  let derived: string | undefined
  try {
    derived = peerIdFromPublicKey(theirs.publicKey)
  } catch {} // a key that yields no peer id fails the check below as `bad-identity`
  if (derived !== theirs.peerId) fail('bad-identity', 'peer id does not match its public key')
  if (theirs.peerId === ours.peerId) fail('self', 'connected to itself')
  if (!nonces.admit(theirs.nonce, ours.nonce)) fail('replay', 'hello nonce seen before')
}

async function readFrame (init: HandshakeInit, deadline: Deadline, limit: number): Promise<Uint8Array> {
  const next = await deadline.race(init.frames.next())
  if (next.done === true) fail('closed', 'connection closed during the handshake')
  if (next.value.length > limit) fail('frame-too-large', `frame of ${next.value.length} bytes before authentication`)
  return next.value
}

function decodePreAuth (bytes: Uint8Array): Message {
  return decodeFrame(bytes, MAX_PRE_AUTH_FRAME)
}

function decodeFrame (bytes: Uint8Array, maxFrameSize: number): Message {
  try {
    return decodeMessage(bytes, { maxFrameSize })
  } catch (err) {
    if (err instanceof UnknownMessageError) fail('unexpected-frame', 'unknown message type')
    if (err instanceof WireError) fail('malformed', 'malformed frame')
    throw err
  }
}

function expect<T extends 'hello' | 'auth' | 'peers'> (msg: Message, type: T): Extract<Message, { t: T }> {
  if (msg.t === 'error') {
    const told = HANDSHAKE_REASONS.find(r => r === msg.message) ?? 'rejected'
    const err = new HandshakeError(told, `handshake rejected by peer (${told})`)
    reportedByRemote.add(err)
    throw err
  }
  if (msg.t !== type) fail('unexpected-frame', `expected ${type}, got ${msg.t}`)
  return msg as Extract<Message, { t: T }>
}

async function sendError (conn: Connection, reason: HandshakeReason): Promise<void> {
  const frame = encodeMessage({ t: 'error', code: ERR_HANDSHAKE, message: reason })
  await settleWithin(conn.send(frame), ERROR_SEND_TIMEOUT)
}

/** The whole handshake's time bound and abort signal, raced against each step. */
class Deadline {
  private readonly timer: ReturnType<typeof setTimeout>
  private readonly expired: Promise<never>
  private readonly signal: AbortSignal | undefined
  private readonly onAbort: () => void
  private rejectExpired!: (err: Error) => void

  constructor (ms: number, signal?: AbortSignal) {
    this.expired = new Promise<never>((_resolve, reject) => { this.rejectExpired = reject })
    this.expired.catch(() => {}) // raced against every step, which rethrows it; this only marks it handled
    this.timer = setTimeout(() => {
      this.rejectExpired(new HandshakeError('timeout', `handshake failed (timeout): not done in ${ms} ms`))
    }, ms)
    this.signal = signal
    this.onAbort = () => { this.rejectExpired(new AbortError('handshake aborted', { cause: signal?.reason })) }
    if (signal?.aborted === true) this.onAbort()
    else signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  async race<T> (step: Promise<T>): Promise<T> {
    return await Promise.race([step, this.expired])
  }

  clear (): void {
    clearTimeout(this.timer)
    this.signal?.removeEventListener('abort', this.onAbort)
  }
}
