import { UnknownMessageError } from '../errors.js'
import {
  bool, bytesOf, bytesUpTo, checkFields, cid, fail, isPlainObject, list, oneOf, optional, record,
  required, safeUint, text, token, uint, uint32
} from './fields.js'
import type { Fields } from './fields.js'
import {
  MAX_ADDR_LENGTH, MAX_ADDRS, MAX_AUDIT_LENGTH, MAX_CODE_LENGTH, MAX_COPIES, MAX_ERROR_MESSAGE,
  MAX_HAVE_CIDS, MAX_ICE_CREDENTIAL, MAX_ICE_SERVERS, MAX_ICE_URLS, MAX_PEER_ID_LENGTH, MAX_PEER_NAME_LENGTH, MAX_PEERS, MAX_PROTOCOL_VERSION, MAX_REPLICAS,
  MAX_SIGNAL_BYTES, MAX_STATUS_PEERS, MAX_TOMBSTONES, MAX_TRANSPORT_LENGTH, MAX_ZONE_LENGTH
} from './limits.js'
import type { Message, MessageType } from './messages.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { decodeRecord, MAX_EXPIRY, MAX_RECORD_SIZE } from '../store/record.js'

/*
 * One strict schema per message type: the exact field set, each field's type
 * and range, and the limits from limits.ts. Binary block ids must decode as
 * CIDv1 raw sha2-256; an `InvalidIdError` is wrapped into `MalformedFrameError`
 * (kept as `cause`) so the codec only ever throws wire errors.
 */

const ROLES = ['host', 'browser', 'client'] as const

const id = required(uint32)
const peerId = token(MAX_PEER_ID_LENGTH)
const role = oneOf(ROLES)
const addrs = list(token(MAX_ADDR_LENGTH), MAX_ADDRS)
const count = required(safeUint)
const peerName = optional(text(MAX_PEER_NAME_LENGTH))
const zone = token(MAX_ZONE_LENGTH)

/** `offset`/`total`/`data` of a `block` or `put` part. */
const partFields = {
  offset: required(safeUint),
  total: required(uint(MAX_BLOCK_SIZE)),
  data: required(bytesUpTo(MAX_BLOCK_SIZE))
} satisfies Fields

const peerInfo = record({
  peerId: required(peerId),
  role: required(role),
  addrs: required(addrs),
  zone: optional(zone),
  weight: optional(safeUint)
})

const peerStatus = record({
  peerId: required(peerId),
  role: required(role),
  transport: required(token(MAX_TRANSPORT_LENGTH)),
  addrs: required(addrs),
  bytesSent: count,
  bytesReceived: count,
  name: peerName,
  relays: optional(bool)
})

const backgroundFailures = record({ repair: count, restore: count, cache: count, send: count, serve: count, address: count, audit: count, gc: optional(safeUint) })

const hostStatus = record({
  peerId: required(peerId),
  peers: required(list(peerStatus, MAX_STATUS_PEERS)),
  blocks: count,
  bytes: count,
  underReplicated: count,
  replicas: required(uint(MAX_REPLICAS, 1)),
  storingHosts: optional(safeUint),
  backgroundFailures: optional(backgroundFailures),
  zone: optional(zone),
  capacity: optional(safeUint),
  full: optional(bool),
  reclaimedBytes: optional(safeUint),
  relay: optional(bool),
  relayBudget: optional(safeUint),
  relayedBytes: optional(safeUint)
})

const iceServer = record({
  urls: required(list(token(MAX_ADDR_LENGTH), MAX_ICE_URLS)),
  username: optional(text(MAX_ICE_CREDENTIAL)),
  credential: optional(text(MAX_ICE_CREDENTIAL))
})

const ICE_URL = /^(stuns?|turns?):[^\s]+$/i

/**
 * Every ICE URL names a STUN or TURN server, a server has at least one, and a
 * TURN server comes with both credentials: what `RTCPeerConnection` accepts.
 */
function checkIce (message: Record<string, unknown>): void {
  const servers = message['servers'] as Array<{ urls: string[], username?: string, credential?: string }>
  servers.forEach((server, i) => {
    if (server.urls.length === 0) fail(`message.servers[${i}].urls`, 'is empty')
    for (const url of server.urls) {
      if (!ICE_URL.test(url)) fail(`message.servers[${i}].urls`, 'has a URL that is not stun:, stuns:, turn: or turns:')
      if (/^turns?:/i.test(url) && (server.username === undefined || server.credential === undefined)) {
        fail(`message.servers[${i}]`, 'is a TURN server without username and credential')
      }
    }
  })
}

interface Schema {
  readonly fields: Fields
  /** Checks across fields, run after every field passed. */
  readonly refine?: (message: Record<string, unknown>) => void
}

/**
 * A part covers `[offset, offset + data.length)` of `total` bytes and carries
 * at least one byte unless the block is empty (no zero-progress parts).
 */
/** A put's record decodes (its errors become the `cause`), and comes only on the first part. */
function checkPut (message: Record<string, unknown>): void {
  checkPart(message)
  const record = message['record']
  if (record === undefined) return
  if (message['offset'] !== 0) fail('message.record', 'is not on the first part')
  try {
    decodeRecord(record as Uint8Array)
  } catch (cause) {
    fail('message.record', 'is not a valid block record', cause)
  }
}

function checkPeers (message: Record<string, unknown>): void {
  if (message['gone'] !== undefined && message['delta'] !== true) fail('message.gone', 'only in a delta')
}

function checkPart (message: Record<string, unknown>): void {
  const offset = message['offset'] as number
  const total = message['total'] as number
  const length = (message['data'] as Uint8Array).length
  if (offset + length > total) fail('message.data', 'runs past total')
  if (length === 0 && total > 0) fail('message.data', 'is empty in a non-empty block')
}

const SCHEMAS: Readonly<Record<MessageType, Schema>> = {
  hello: {
    fields: {
      version: required(uint(MAX_PROTOCOL_VERSION, 1)),
      peerId: required(peerId),
      publicKey: required(bytesOf(32)),
      role: required(role),
      nonce: required(bytesOf(32)),
      addrs: required(addrs),
      stores: optional(bool),
      relays: optional(bool),
      name: peerName,
      zone: optional(zone),
      weight: optional(safeUint)
    }
  },
  auth: { fields: { sig: required(bytesOf(64)), mac: required(bytesOf(32)), host: optional(bytesOf(32)) } },
  peers: {
    fields: { peers: required(list(peerInfo, MAX_PEERS)), delta: optional(bool), gone: optional(list(peerId, MAX_PEERS)) },
    refine: checkPeers
  },
  ice: { fields: { servers: required(list(iceServer, MAX_ICE_SERVERS)) }, refine: checkIce },
  want: { fields: { id, cid: required(cid), probe: optional(bool) } },
  have: { fields: { id: optional(uint32), cids: required(list(cid, MAX_HAVE_CIDS)), expires: optional(uint(MAX_EXPIRY)) } },
  block: { fields: { id, ...partFields }, refine: checkPart },
  'dont-have': { fields: { id } },
  put: {
    fields: { id, cid: required(cid), ...partFields, replicas: optional(uint(MAX_REPLICAS, 1)), record: optional(bytesUpTo(MAX_RECORD_SIZE)) },
    refine: checkPut
  },
  stored: { fields: { id, copies: required(uint(MAX_COPIES)) } },
  audit: { fields: { id, cid: required(cid), offset: required(uint(MAX_BLOCK_SIZE)), length: required(uint(MAX_AUDIT_LENGTH, 1)) } },
  proof: { fields: { id, data: required(bytesUpTo(MAX_AUDIT_LENGTH)) } },
  remove: { fields: { id, root: required(cid), secret: required(bytesOf(32)) } },
  removed: { fields: { id, verified: required(bool) } },
  tombstones: { fields: { secrets: required(list(bytesOf(32), MAX_TOMBSTONES)) } },
  signal: {
    fields: { to: required(peerId), from: required(peerId), data: required(bytesUpTo(MAX_SIGNAL_BYTES)) }
  },
  ping: { fields: { id } },
  pong: { fields: { id } },
  status: { fields: { id } },
  info: { fields: { id, status: required(hostStatus) } },
  error: {
    fields: {
      id: optional(uint32),
      code: required(token(MAX_CODE_LENGTH)),
      message: optional(text(MAX_ERROR_MESSAGE))
    }
  }
}

/** Every message type, in declaration order. */
export const MESSAGE_TYPES = Object.keys(SCHEMAS) as readonly MessageType[]

/**
 * Check that `value` is exactly one of the wire messages. Returns it unchanged
 * (typed) or throws `MalformedFrameError`, or `UnknownMessageError` for an
 * unknown `t`.
 */
export function validateMessage (value: unknown): Message {
  if (!isPlainObject(value)) fail('message', 'is not a map')
  const type = Object.hasOwn(value, 't') ? value['t'] : undefined
  if (typeof type !== 'string') fail('message.t', 'is missing or not a string')
  if (!Object.hasOwn(SCHEMAS, type)) {
    throw new UnknownMessageError(`unknown message type ${JSON.stringify(type.slice(0, 64))}`)
  }
  const schema = SCHEMAS[type as MessageType]
  checkFields(value, schema.fields, 'message', 't')
  schema.refine?.(value)
  return value as unknown as Message
}
