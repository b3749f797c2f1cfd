/**
 * Every message on the wire. A frame is one CBOR map `{ t: type, ...fields }`.
 * Requests carry an `id` (unsigned 32-bit) unique among the sender's requests
 * in flight on that connection; replies echo it.
 *
 * Binary fields are `Uint8Array`. Block ids travel in binary CID form (36 bytes).
 */

/**
 * 2: the responder proves itself only after verifying the initiator; PBKDF2 join key.
 * 3: hosts prove the host key (`auth.host`); `audit` requests.
 * 4: incremental gossip (`peers` with `delta` and `gone`).
 */
export const PROTOCOL_VERSION = 4

export type Role = 'host' | 'browser' | 'client'

/** First frame each side sends. */
export interface HelloMessage {
  t: 'hello'
  version: number
  peerId: string
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array
  role: Role
  /** 32 fresh random bytes. */
  nonce: Uint8Array
  /** Addresses where this node accepts connections (`ws://h:p/mesh`). */
  addrs: string[]
  /** `false` from a host that keeps no blocks (`--no-store`); absent means it stores. */
  stores?: boolean
  /**
   * `true` from a host that relays: asked by a tab or client for a block it
   * lacks, it fetches it from its other peers (tabs that announced it
   * included) and forwards it without keeping it. Absent: it does not.
   */
  relays?: boolean
  /**
   * A display name for people (a host's `--name`, a tab's browser and OS).
   * Never an identity: receivers strip control characters (`peerName()`).
   */
  name?: string
  /** A host's failure domain (room, rack, cloud zone); absent: the host is its own zone. */
  zone?: string
  /** A host's placement weight: its quota or disk size in bytes; absent: the average of the others. */
  weight?: number
}

/** Second frame each side sends, after both hellos. */
export interface AuthMessage {
  t: 'auth'
  /** Ed25519 signature over the transcript, 64 bytes. */
  sig: Uint8Array
  /** HMAC-SHA-256 over the transcript keyed from the join token, 32 bytes. */
  mac: Uint8Array
  /** Between two hosts: HMAC-SHA-256 over the transcript keyed from the host key, 32 bytes. */
  host?: Uint8Array
}

export interface PeerInfo {
  peerId: string
  role: Role
  addrs: string[]
  /** A host's zone and weight as it said in its hello (hosts only; informative). */
  zone?: string
  weight?: number
}

/**
 * Gossip of the sender's connected peers. Without `delta` (the handshake's, or
 * after a missed change): the whole list, replacing what the sender said
 * before. With `delta`: only what changed since its last `peers`: `peers`
 * linked (or linked again, with new details) and `gone` unlinked.
 */
export interface PeersMessage {
  t: 'peers'
  peers: PeerInfo[]
  delta?: boolean
  /** Peer ids no longer connected to the sender (a delta only). */
  gone?: string[]
}

/**
 * Ask for a block. With `probe`, ask only whether the peer has it
 * (answered by `have` or `dont-have`, no data).
 */
export interface WantMessage {
  t: 'want'
  id: number
  cid: Uint8Array
  probe?: boolean
}

/** Answer to a probe (with `id`), or an unsolicited announcement (without). */
export interface HaveMessage {
  t: 'have'
  id?: number
  cids: Uint8Array[]
  /** In answer to a probe: the block's expiry (ms since the epoch), if it has one. */
  expires?: number
}

/**
 * A block, or one part of it: `data` holds bytes `[offset, offset + data.length)`
 * of a block of `total` bytes. Parts of one block arrive in order.
 */
export interface BlockMessage {
  t: 'block'
  id: number
  offset: number
  total: number
  data: Uint8Array
}

export interface DontHaveMessage {
  t: 'dont-have'
  id: number
}

/**
 * Store a block (in parts, like `block`). `replicas` > 0 asks the receiving host
 * to coordinate: store it and forward it to the top-R hosts; without it the
 * receiver only stores its own copy. Answered by `stored` or `error`.
 */
export interface PutMessage {
  t: 'put'
  id: number
  cid: Uint8Array
  offset: number
  total: number
  data: Uint8Array
  replicas?: number
  /**
   * The block's record (core `store/record.ts`, encoded, at most
   * `MAX_RECORD_SIZE` bytes), on the first part only. A replica write stores
   * it with the block; a host coordinating a put keeps its expiry and owner
   * tag and sets R itself (`replicas`, else its own).
   */
  record?: Uint8Array
}

/** A put is durable on `copies` hosts. */
export interface StoredMessage {
  t: 'stored'
  id: number
  copies: number
}

/**
 * Remove a file: the owner secret (32 bytes) whose SHA-256 is the owner tag
 * in its blocks' records, and the file's root block. A tab or client asks its
 * host, which asks every storing host; a host asked by a host only checks
 * itself. Answered by `removed`, or `error` ERR_OWNER (the secret does not
 * match the root's owner tag: nothing removed).
 */
export interface RemoveMessage {
  t: 'remove'
  id: number
  root: Uint8Array
  secret: Uint8Array
}

/** `verified`: this host (or, from a coordinating host, some host) held the root with that owner tag. */
export interface RemovedMessage {
  t: 'removed'
  id: number
  verified: boolean
}

/**
 * Owner secrets of removed files, host to host (on connect, and when a removal
 * is new): a host drops every block whose owner tag is the SHA-256 of one.
 */
export interface TombstonesMessage {
  t: 'tombstones'
  secrets: Uint8Array[]
}

/** WebRTC signaling relayed by hosts, addressed by peer id. */
export interface SignalMessage {
  t: 'signal'
  to: string
  from: string
  data: Uint8Array
}

export interface PingMessage {
  t: 'ping'
  id: number
}

export interface PongMessage {
  t: 'pong'
  id: number
}

/** Ask a host for its status. */
export interface StatusMessage {
  t: 'status'
  id: number
}

export interface PeerStatus {
  peerId: string
  role: Role
  transport: string
  addrs: string[]
  bytesSent: number
  bytesReceived: number
  /** The display name from the peer's hello, sanitised; absent if it sent none. */
  name?: string
  /** A host that relays blocks for tabs and clients (its hello said so). */
  relays?: boolean
}

export interface HostStatus {
  peerId: string
  peers: PeerStatus[]
  blocks: number
  bytes: number
  /** Held blocks with fewer than `replicas` live copies (copies on live storing hosts, this one included). */
  underReplicated: number
  /** The host's replica target R. */
  replicas: number
  /** Failures of work nobody awaits, per kind, since the node started (absent from older hosts). */
  backgroundFailures?: BackgroundFailures
  /** Live storing hosts, this one included: the most copies any block can have now (absent from older hosts). */
  storingHosts?: number
  /** This host's zone, if it has one. */
  zone?: string
  /** Its quota in bytes, if it has one. */
  capacity?: number
  /** Over its high-water mark: it takes no new blocks (it still serves what it holds). */
  full?: boolean
  /** Hosts: whether it relays blocks it does not hold to tabs and clients (absent from older hosts). */
  relay?: boolean
  /** The relay's byte budget for this run; absent: no budget (or no relay). */
  relayBudget?: number
  /** Bytes of blocks relayed since the host started. */
  relayedBytes?: number
  /** Bytes of expired, deleted and surplus blocks its garbage collection reclaimed since it started (absent from older hosts). */
  reclaimedBytes?: number
}

/**
 * Failures of background work, counted per kind since the node started.
 * Each one is also dispatched as a `background:failure` event (a host logs it).
 */
export interface BackgroundFailures {
  /** Repair passes run by a timer or a membership change that failed. */
  repair: number
  /** Attempts to drop a corrupt block or fetch it back from peers that failed. */
  restore: number
  /** Best-effort local copies (caching a fetched block, a node keeping its own copy of a put) that failed. */
  cache: number
  /** Sends nobody waits for (gossip, announcements, relayed signals, error replies) that failed other than by the connection closing. */
  send: number
  /** Peer requests whose handler failed unexpectedly (answered `ERR_INTERNAL`). */
  serve: number
  /** Addresses in gossip or a host's hello that no node may dial (not `ws(s)://H:P/mesh`): dropped. */
  address: number
  /** Holders that failed a replica audit (claimed a block they could not prove they hold). */
  audit: number
  /** Garbage-collection passes that failed (absent from older hosts). */
  gc?: number
}

/** A host's answer to `status`. */
export interface InfoMessage {
  t: 'info'
  id: number
  status: HostStatus
}

/** A failure, in reply to request `id` or about the connection as a whole. */
export interface ErrorMessage {
  t: 'error'
  id?: number
  /** Stable reason code, e.g. 'ERR_HANDSHAKE', 'ERR_NOT_FOUND', 'ERR_STORAGE_FULL'. */
  code: string
  message?: string
}

/** A STUN or TURN server for WebRTC: the fields of `RTCIceServer` (TURN needs both credentials). */
export interface IceServer {
  /** `stun:`, `stuns:`, `turn:` or `turns:` URLs. */
  urls: string[]
  username?: string
  credential?: string
}

/**
 * From a host to a browser tab once authenticated (never before: TURN
 * credentials are for members only): the ICE servers for its WebRTC links.
 */
export interface IceMessage {
  t: 'ice'
  servers: IceServer[]
}

/**
 * A replica audit (proof of storage), host to host during repair: send bytes
 * `[offset, offset + length)` of a block you hold (at most `MAX_AUDIT_LENGTH`).
 * Answered by `proof`, or `dont-have`.
 */
export interface AuditMessage {
  t: 'audit'
  id: number
  cid: Uint8Array
  offset: number
  length: number
}

/** The bytes an `audit` asked for. */
export interface ProofMessage {
  t: 'proof'
  id: number
  data: Uint8Array
}

export type Message =
  | HelloMessage | AuthMessage | PeersMessage | IceMessage
  | WantMessage | HaveMessage | BlockMessage | DontHaveMessage
  | PutMessage | StoredMessage | SignalMessage | AuditMessage | ProofMessage | RemoveMessage | RemovedMessage | TombstonesMessage
  | PingMessage | PongMessage | StatusMessage | InfoMessage | ErrorMessage

export type MessageType = Message['t']
