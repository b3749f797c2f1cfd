import { describe, expect, it } from 'vitest'
import { encode } from 'cborg'
import {
  decodeMessage, encodeMessage, MAX_ADDR_LENGTH, MAX_ADDRS, MAX_CODE_LENGTH, MAX_COPIES,
  MAX_ERROR_MESSAGE, MAX_HAVE_CIDS, MAX_PEER_ID_LENGTH, MAX_PEER_NAME_LENGTH, MAX_PEERS, MAX_PRE_AUTH_FRAME, MAX_PROTOCOL_VERSION,
  MAX_REPLICAS, MAX_SIGNAL_BYTES, MAX_STATUS_PEERS, MAX_TRANSPORT_LENGTH
} from './index.js'
import type { Message, PeerStatus } from './index.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'

const CID = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Uint8Array(32).fill(1)])
const str = (n: number, c = 'a'): string => c.repeat(n)
const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(5)

/** Both the encoder's validation and the decoder accept `msg`. */
function expectAccepted (msg: Record<string, unknown>): void {
  const frame = encodeMessage(msg as unknown as Message)
  expect(decodeMessage(frame)).toStrictEqual(msg)
}

/** Both the encoder and the decoder (fed cborg's encoding of `msg`) reject it as malformed. */
function expectRejected (msg: Record<string, unknown>): void {
  expect(() => encodeMessage(msg as unknown as Message)).toThrow(expect.objectContaining({ code: 'ERR_FRAME_MALFORMED' }))
  expect(() => decodeMessage(encode(msg))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_MALFORMED' }))
}

function peerStatus (i: number): PeerStatus {
  return { peerId: `p${i}`, role: 'host', transport: 'ws', addrs: [], bytesSent: 0, bytesReceived: 0 }
}

const hello = (patch: Record<string, unknown>): Record<string, unknown> => ({
  t: 'hello', version: 1, peerId: 'peer', publicKey: bytes(32), role: 'host', nonce: bytes(32), addrs: [], ...patch
})
const part = (t: 'block' | 'put', patch: Record<string, unknown>): Record<string, unknown> => ({
  t, id: 1, ...(t === 'put' ? { cid: CID } : {}), offset: 0, total: 10, data: bytes(10), ...patch
})
const failures = (patch: Record<string, unknown>): Record<string, unknown> => ({ repair: 1, restore: 2, cache: 3, send: 4, serve: 5, address: 6, audit: 7, ...patch })
const status = (patch: Record<string, unknown>): Record<string, unknown> => ({
  t: 'info', id: 1, status: { peerId: 'h', peers: [], blocks: 0, bytes: 0, underReplicated: 0, replicas: 3, storingHosts: 1, ...patch }
})

/** [name, at the limit (accepted), one past the limit (rejected)] */
const CASES: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['id is unsigned 32-bit', { t: 'ping', id: 0xffffffff }, { t: 'ping', id: 0x100000000 }],
  ['id is not negative', { t: 'ping', id: 0 }, { t: 'ping', id: -1 }],
  ['id is an integer', { t: 'pong', id: 2 }, { t: 'pong', id: 2.5 }],
  ['peerId length', hello({ peerId: str(MAX_PEER_ID_LENGTH) }), hello({ peerId: str(MAX_PEER_ID_LENGTH + 1) })],
  ['peerId is not empty', hello({ peerId: 'x' }), hello({ peerId: '' })],
  ['peerId is visible ASCII', hello({ peerId: '~!' }), hello({ peerId: 'a b' })],
  ['addrs count', hello({ addrs: Array(MAX_ADDRS).fill('ws://a') }), hello({ addrs: Array(MAX_ADDRS + 1).fill('ws://a') })],
  ['addr length', hello({ addrs: [str(MAX_ADDR_LENGTH)] }), hello({ addrs: [str(MAX_ADDR_LENGTH + 1)] })],
  ['version lowest', hello({ version: 1 }), hello({ version: 0 })],
  ['version highest', hello({ version: MAX_PROTOCOL_VERSION }), hello({ version: MAX_PROTOCOL_VERSION + 1 })],
  ['role', hello({ role: 'client' }), hello({ role: 'admin' })],
  ['publicKey is 32 bytes', hello({ publicKey: bytes(32) }), hello({ publicKey: bytes(33) })],
  ['publicKey is not shorter', hello({ publicKey: bytes(32) }), hello({ publicKey: bytes(31) })],
  ['nonce is 32 bytes', hello({ nonce: bytes(32) }), hello({ nonce: bytes(31) })],
  ['name length', hello({ name: str(MAX_PEER_NAME_LENGTH, '€') }), hello({ name: str(MAX_PEER_NAME_LENGTH + 1) })],
  ['name is text', hello({ name: 'shelf' }), hello({ name: bytes(4) })],
  ['status peer name length', status({ peers: [{ ...peerStatus(0), name: str(MAX_PEER_NAME_LENGTH) }] }),
    status({ peers: [{ ...peerStatus(0), name: str(MAX_PEER_NAME_LENGTH + 1) }] })],
  ['sig is 64 bytes', { t: 'auth', sig: bytes(64), mac: bytes(32) }, { t: 'auth', sig: bytes(65), mac: bytes(32) }],
  ['mac is 32 bytes', { t: 'auth', sig: bytes(64), mac: bytes(32) }, { t: 'auth', sig: bytes(64), mac: bytes(33) }],
  ['peers list', { t: 'peers', peers: Array(MAX_PEERS).fill({ peerId: 'p', role: 'host', addrs: [] }) },
    { t: 'peers', peers: Array(MAX_PEERS + 1).fill({ peerId: 'p', role: 'host', addrs: [] }) }],
  ['have cids', { t: 'have', cids: Array(MAX_HAVE_CIDS).fill(CID) }, { t: 'have', cids: Array(MAX_HAVE_CIDS + 1).fill(CID) }],
  ['cid is 36 bytes', { t: 'want', id: 1, cid: CID }, { t: 'want', id: 1, cid: CID.subarray(0, 35) }],
  ['cid is raw sha2-256', { t: 'want', id: 1, cid: CID }, { t: 'want', id: 1, cid: Uint8Array.from([1, 0x71, ...CID.subarray(2)]) }],
  ['probe is a boolean', { t: 'want', id: 1, cid: CID, probe: false }, { t: 'want', id: 1, cid: CID, probe: 1 }],
  ['signal data', { t: 'signal', to: 'a', from: 'b', data: bytes(MAX_SIGNAL_BYTES) },
    { t: 'signal', to: 'a', from: 'b', data: bytes(MAX_SIGNAL_BYTES + 1) }],
  ['error code length', { t: 'error', code: str(MAX_CODE_LENGTH, 'E') }, { t: 'error', code: str(MAX_CODE_LENGTH + 1, 'E') }],
  ['error message length', { t: 'error', code: 'E', message: str(MAX_ERROR_MESSAGE, '€') },
    { t: 'error', code: 'E', message: str(MAX_ERROR_MESSAGE + 1) }],
  ['replicas lowest', part('put', { replicas: 1 }), part('put', { replicas: 0 })],
  ['replicas highest', part('put', { replicas: MAX_REPLICAS }), part('put', { replicas: MAX_REPLICAS + 1 })],
  ['copies', { t: 'stored', id: 1, copies: MAX_COPIES }, { t: 'stored', id: 1, copies: MAX_COPIES + 1 }],
  ['total', part('block', { offset: MAX_BLOCK_SIZE - 10, total: MAX_BLOCK_SIZE }),
    part('block', { offset: MAX_BLOCK_SIZE - 9, total: MAX_BLOCK_SIZE + 1 })],
  ['offset + data <= total', part('put', { offset: 5, total: 15 }), part('put', { offset: 6, total: 15 })],
  ['empty part only for an empty block', part('block', { total: 0, data: bytes(0) }), part('block', { total: 1, data: bytes(0) })],
  ['status peers', status({ peers: Array.from({ length: MAX_STATUS_PEERS }, (_, i) => peerStatus(i)) }),
    status({ peers: Array.from({ length: MAX_STATUS_PEERS + 1 }, (_, i) => peerStatus(i)) })],
  ['status transport', status({ peers: [{ ...peerStatus(0), transport: str(MAX_TRANSPORT_LENGTH) }] }),
    status({ peers: [{ ...peerStatus(0), transport: str(MAX_TRANSPORT_LENGTH + 1) }] })],
  ['status counters are safe integers', status({ bytes: Number.MAX_SAFE_INTEGER }), status({ bytes: -1 })],
  ['status replicas is a replica target', status({ replicas: MAX_REPLICAS }), status({ replicas: MAX_REPLICAS + 1 })],
  ['status replicas is at least 1', status({ replicas: 1 }), status({ replicas: 0 })],
  ['status counters are integers', status({ blocks: 3 }), status({ blocks: 0.5 })],
  ['no extra fields', { t: 'dont-have', id: 1 }, { t: 'dont-have', id: 1, extra: 0 }],
  ['no extra nested fields', status({}), status({ extra: 0 })],
  ['backgroundFailures counts are safe integers', status({ backgroundFailures: failures({ send: Number.MAX_SAFE_INTEGER }) }),
    status({ backgroundFailures: failures({ send: -1 }) })],
  ['backgroundFailures has exactly the known kinds', status({ backgroundFailures: failures({}) }),
    status({ backgroundFailures: failures({ other: 0 }) })],
  ['backgroundFailures has every kind', status({ backgroundFailures: failures({}) }),
    status({ backgroundFailures: { repair: 0, restore: 0, cache: 0, send: 0 } })],
  ['no missing fields', { t: 'status', id: 1 }, { t: 'status' }]
]

describe('limits: at the limit passes, one past fails', () => {
  for (const [name, atLimit, pastLimit] of CASES) {
    it(name, () => {
      expectAccepted(atLimit)
      expectRejected(pastLimit)
    })
  }

  it('a hello at every cap fits in a pre-auth frame', () => {
    const frame = encodeMessage(hello({
      version: MAX_PROTOCOL_VERSION,
      peerId: str(MAX_PEER_ID_LENGTH),
      addrs: Array(MAX_ADDRS).fill(str(MAX_ADDR_LENGTH)),
      stores: false,
      name: str(MAX_PEER_NAME_LENGTH / 2, '😀')
    }) as unknown as Message)
    expect(frame.length).toBeLessThanOrEqual(MAX_PRE_AUTH_FRAME)
    expect(decodeMessage(frame, { maxFrameSize: MAX_PRE_AUTH_FRAME }).t).toBe('hello')
  })

  it('a hello and a status with every field decode (the widest maps)', () => {
    const fullHello = hello({ stores: false, relays: true, name: 'shelf', zone: 'rack-1', weight: 1024 })
    expect(decodeMessage(encodeMessage(fullHello as unknown as Message))).toStrictEqual(fullHello)
    const fullStatus = status({
      backgroundFailures: failures({ gc: 8 }), zone: 'rack-1', capacity: 1024, full: false, reclaimedBytes: 5, relay: true, relayBudget: 4096, relayedBytes: 2048
    })
    expect(decodeMessage(encodeMessage(fullStatus as unknown as Message))).toStrictEqual(fullStatus)
  })

  it('maxFrameSize: a frame of exactly the limit passes, one byte less of limit fails', () => {
    const frame = encodeMessage({ t: 'ping', id: 1 })
    expect(decodeMessage(frame, { maxFrameSize: frame.length })).toStrictEqual({ t: 'ping', id: 1 })
    expect(() => decodeMessage(frame, { maxFrameSize: frame.length - 1 }))
      .toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }))
    expect(encodeMessage({ t: 'ping', id: 1 }, { maxFrameSize: frame.length })).toStrictEqual(frame)
    expect(() => encodeMessage({ t: 'ping', id: 1 }, { maxFrameSize: frame.length - 1 }))
      .toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }))
  })
})
