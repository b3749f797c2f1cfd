/**
 * fast-check arbitraries for every wire message, for property tests.
 * Test support only: not exported from `wire/index.ts`.
 */
import fc from 'fast-check'
import type { Arbitrary } from 'fast-check'
import { encode } from 'cborg'
import {
  MAX_ADDR_LENGTH, MAX_ADDRS, MAX_AUDIT_LENGTH, MAX_CODE_LENGTH, MAX_COPIES, MAX_ERROR_MESSAGE, MAX_PEER_NAME_LENGTH,
  MAX_ICE_CREDENTIAL, MAX_ICE_SERVERS, MAX_ICE_URLS, MAX_PEER_ID_LENGTH, MAX_PROTOCOL_VERSION, MAX_REPLICAS,
  MAX_SIGNAL_BYTES, MAX_TRANSPORT_LENGTH, MAX_ZONE_LENGTH
} from '../../src/wire/limits.js'
import { MAX_BLOCK_SIZE } from '../../src/crypto/geometry.js'
import { encodeRecord, MAX_EXPIRY, OWNER_TAG_LENGTH } from '../../src/store/record.js'
import type {
  AuthMessage, BackgroundFailures, BlockMessage, ErrorMessage, HelloMessage, HostStatus, Message, MessageType,
  PeerInfo, PeerStatus, PutMessage, Role
} from '../../src/wire/messages.js'

const CID_PREFIX = [0x01, 0x55, 0x12, 0x20]

/** `fc.record` with ordinary (Object.prototype) objects, like the decoder returns. */
const record: typeof fc.record = ((model: never, constraints?: object) =>
  fc.record(model, { ...constraints, noNullPrototype: true } as never)) as typeof fc.record

export const bytes = (length: number): Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: length, maxLength: length })

/** A valid binary block id: CIDv1, raw, sha2-256 with any digest. */
export const cidBytes: Arbitrary<Uint8Array> = bytes(32).map((digest) => {
  const out = new Uint8Array(36)
  out.set(CID_PREFIX)
  out.set(digest, 4)
  return out
})

const visibleAscii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c))
export const asciiToken = (maxLength: number): Arbitrary<string> =>
  fc.string({ unit: visibleAscii, minLength: 1, maxLength })

export const requestId = fc.nat({ max: 0xffffffff })
export const counter = fc.oneof(fc.nat({ max: 1_000_000 }), fc.maxSafeNat())
export const role: Arbitrary<Role> = fc.constantFrom('host', 'browser', 'client')
const peerId = asciiToken(MAX_PEER_ID_LENGTH)
const addrs = fc.array(asciiToken(MAX_ADDR_LENGTH), { maxLength: MAX_ADDRS })
const zone = asciiToken(MAX_ZONE_LENGTH)

/** `offset`, `total`, `data` of a part: small data, anywhere in a block up to the limit. */
export const part = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ offset: 0, total: 0, data: new Uint8Array(0) }) },
  {
    weight: 9,
    arbitrary: record({
      data: fc.uint8Array({ minLength: 1, maxLength: 2048 }),
      offset: fc.oneof(fc.constant(0), fc.nat({ max: MAX_BLOCK_SIZE - 4096 })),
      slack: fc.oneof(fc.constant(0), fc.nat({ max: 2048 }))
    }).map(({ data, offset, slack }) => ({ offset, total: offset + data.length + slack, data }))
  }
)

const hello: Arbitrary<HelloMessage> = record({
  t: fc.constant('hello' as const),
  version: fc.integer({ min: 1, max: MAX_PROTOCOL_VERSION }),
  peerId,
  publicKey: bytes(32),
  role,
  nonce: bytes(32),
  addrs,
  stores: fc.boolean(),
  name: fc.string({ unit: 'binary', maxLength: MAX_PEER_NAME_LENGTH / 2 }),
  zone,
  weight: counter
}, { requiredKeys: ['t', 'version', 'peerId', 'publicKey', 'role', 'nonce', 'addrs'] })

const auth: Arbitrary<AuthMessage> = record({ t: fc.constant('auth' as const), sig: bytes(64), mac: bytes(32) })

const peerInfo: Arbitrary<PeerInfo> = record({ peerId, role, addrs, zone, weight: counter }, { requiredKeys: ['peerId', 'role', 'addrs'] })

const peerStatus: Arbitrary<PeerStatus> = record({
  peerId,
  role,
  transport: asciiToken(MAX_TRANSPORT_LENGTH),
  addrs,
  bytesSent: counter,
  bytesReceived: counter,
  name: fc.string({ unit: 'binary', maxLength: MAX_PEER_NAME_LENGTH / 2 })
}, { requiredKeys: ['peerId', 'role', 'transport', 'addrs', 'bytesSent', 'bytesReceived'] })

const backgroundFailures: Arbitrary<BackgroundFailures> = record({
  repair: counter, restore: counter, cache: counter, send: counter, serve: counter, address: counter, audit: counter
})

const hostStatus: Arbitrary<HostStatus> = record({
  peerId,
  peers: fc.array(peerStatus, { maxLength: 8 }),
  blocks: counter,
  bytes: counter,
  underReplicated: counter,
  replicas: fc.integer({ min: 1, max: MAX_REPLICAS }),
  storingHosts: counter,
  backgroundFailures,
  zone,
  capacity: counter,
  full: fc.boolean()
}, { requiredKeys: ['peerId', 'peers', 'blocks', 'bytes', 'underReplicated', 'replicas'] })

const block: Arbitrary<BlockMessage> = fc.tuple(requestId, part)
  .map(([id, p]) => ({ t: 'block' as const, id, ...p }))

const put: Arbitrary<PutMessage> = record({
  id: requestId,
  cid: cidBytes,
  p: part,
  replicas: fc.option(fc.integer({ min: 1, max: MAX_REPLICAS }), { nil: undefined }),
  blockRecord: fc.option(record({
    replicas: fc.integer({ min: 1, max: MAX_REPLICAS }),
    expires: fc.option(fc.integer({ min: 0, max: MAX_EXPIRY }), { nil: undefined }),
    owner: fc.option(fc.uint8Array({ minLength: OWNER_TAG_LENGTH, maxLength: OWNER_TAG_LENGTH }), { nil: undefined })
  }), { nil: undefined })
}).map(({ id, cid, p, replicas, blockRecord }) => {
  const msg: PutMessage = { t: 'put', id, cid, ...p }
  if (replicas !== undefined) msg.replicas = replicas
  // The record only travels on a first part.
  if (blockRecord !== undefined && p.offset === 0) {
    const { expires, owner, ...rest } = blockRecord
    msg.record = encodeRecord({ ...rest, ...(expires === undefined ? {} : { expires }), ...(owner === undefined ? {} : { owner }) })
  }
  return msg
})

const errorText = fc.string({ unit: 'binary', maxLength: MAX_ERROR_MESSAGE / 2 })

const error: Arbitrary<ErrorMessage> = record({
  t: fc.constant('error' as const),
  id: requestId,
  code: asciiToken(MAX_CODE_LENGTH),
  message: errorText
}, { requiredKeys: ['t', 'code'] })

const iceUrl = fc.tuple(fc.constantFrom('stun', 'stuns', 'turn', 'turns'), asciiToken(MAX_ADDR_LENGTH - 8))
  .map(([scheme, rest]) => `${scheme}:${rest}`)
const iceServer = record({
  urls: fc.array(iceUrl, { minLength: 1, maxLength: MAX_ICE_URLS }),
  username: fc.string({ maxLength: MAX_ICE_CREDENTIAL }),
  credential: fc.string({ maxLength: MAX_ICE_CREDENTIAL })
})

/** One arbitrary per message type. */
export const messageArbitraries: { [T in MessageType]: Arbitrary<Extract<Message, { t: T }>> } = {
  hello,
  auth,
  peers: fc.oneof(
    record({ t: fc.constant('peers' as const), peers: fc.array(peerInfo, { maxLength: 16 }) }),
    record({ t: fc.constant('peers' as const), peers: fc.array(peerInfo, { maxLength: 16 }), delta: fc.constant(true), gone: fc.array(peerId, { maxLength: 16 }) },
      { requiredKeys: ['t', 'peers', 'delta'] })
  ),
  ice: record({ t: fc.constant('ice' as const), servers: fc.array(iceServer, { maxLength: MAX_ICE_SERVERS }) }),
  want: record({ t: fc.constant('want' as const), id: requestId, cid: cidBytes, probe: fc.boolean() },
    { requiredKeys: ['t', 'id', 'cid'] }),
  have: record({ t: fc.constant('have' as const), id: requestId, cids: fc.array(cidBytes, { maxLength: 16 }), expires: fc.integer({ min: 0, max: MAX_EXPIRY }) },
    { requiredKeys: ['t', 'cids'] }),
  block,
  'dont-have': record({ t: fc.constant('dont-have' as const), id: requestId }),
  put,
  stored: record({ t: fc.constant('stored' as const), id: requestId, copies: fc.nat({ max: MAX_COPIES }) }),
  signal: record({
    t: fc.constant('signal' as const),
    to: peerId,
    from: peerId,
    data: fc.uint8Array({ maxLength: MAX_SIGNAL_BYTES })
  }),
  remove: record({ t: fc.constant('remove' as const), id: requestId, root: cidBytes, secret: bytes(32) }),
  removed: record({ t: fc.constant('removed' as const), id: requestId, verified: fc.boolean() }),
  tombstones: record({ t: fc.constant('tombstones' as const), secrets: fc.array(bytes(32), { maxLength: 8 }) }),
  audit: record({
    t: fc.constant('audit' as const),
    id: requestId,
    cid: cidBytes,
    offset: fc.nat({ max: MAX_BLOCK_SIZE }),
    length: fc.integer({ min: 1, max: MAX_AUDIT_LENGTH })
  }),
  proof: record({ t: fc.constant('proof' as const), id: requestId, data: fc.uint8Array({ maxLength: MAX_AUDIT_LENGTH }) }),
  ping: record({ t: fc.constant('ping' as const), id: requestId }),
  pong: record({ t: fc.constant('pong' as const), id: requestId }),
  status: record({ t: fc.constant('status' as const), id: requestId }),
  info: record({ t: fc.constant('info' as const), id: requestId, status: hostStatus }),
  error
}

/** Any valid message. */
export const message: Arbitrary<Message> = fc.oneof(...Object.values(messageArbitraries) as Array<Arbitrary<Message>>)

/** Encode any value as CBOR without validation (for wrong-shape frames). */
export function encodeRaw (value: unknown): Uint8Array {
  try {
    return encode(value)
  } catch {
    return new Uint8Array([0xff])
  }
}

/** A valid message with one field replaced, added or removed. */
export const reshapedMessage: Arbitrary<Record<string, unknown>> = fc.tuple(
  message,
  fc.oneof(fc.constantFrom('t', 'id', 'cid', 'data', 'offset', 'total', 'peers', 'peerId', 'status'), fc.string()),
  fc.oneof(fc.anything(), fc.uint8Array(), fc.double(), fc.integer(), fc.bigInt()),
  fc.boolean()
).map(([msg, key, value, remove]) => {
  const copy: Record<string, unknown> = { ...msg }
  if (remove) delete copy[key]
  else copy[key] = value
  return copy
})

/** Frames a hostile peer might send: garbage, truncations, bit flips, wrong shapes. */
export const hostileFrame: Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  message.chain((msg) => {
    const frame = encode(msg)
    return fc.nat({ max: Math.max(0, frame.length - 1) }).map((n) => frame.subarray(0, n))
  }),
  fc.tuple(message, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }))
    .map(([msg, flips]) => {
      const frame = encode(msg).slice()
      for (const [at, value] of flips) frame[at % frame.length] = value
      return frame
    }),
  reshapedMessage.map(encodeRaw),
  fc.anything().map(encodeRaw),
  fc.tuple(message, fc.uint8Array({ minLength: 1, maxLength: 8 }))
    .map(([msg, tail]) => new Uint8Array([...encode(msg), ...tail]))
)
