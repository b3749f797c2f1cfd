import { describe, expect, it } from 'vitest'
import { codeOf } from '../../test/support/wire.js'
import fc from 'fast-check'
import { encode } from 'cborg'
import {
  decodeMessage, encodeMessage, FRAME_OVERHEAD, MAX_FRAME_SIZE, validateMessage
} from './index.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import type { BlockMessage, Message, PutMessage } from './index.js'
import { message, messageArbitraries } from '../../test/support/wire-arbitraries.js'
import { InvalidIdError } from '../errors.js'
import { equalBytes } from '../block/id.js'
import { encodeRecord, MAX_EXPIRY, MAX_RECORD_SIZE } from '../store/record.js'

const CID = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Uint8Array(32).fill(7)])

/** toStrictEqual, with a fast check for the (large) `data` field. */
function expectSameBlock (actual: Message, expected: BlockMessage | PutMessage): void {
  const { data, ...rest } = actual as BlockMessage
  const { data: expectedData, ...expectedRest } = expected
  expect(rest).toStrictEqual(expectedRest)
  expect(data.constructor).toBe(Uint8Array)
  expect(equalBytes(data, expectedData)).toBe(true)
}

describe('encodeMessage/decodeMessage round trip', () => {
  for (const [type, arbitrary] of Object.entries(messageArbitraries)) {
    it(`round-trips every valid ${type} message`, () => {
      fc.assert(fc.property(arbitrary as fc.Arbitrary<Message>, (msg) => {
        const frame = encodeMessage(msg)
        const decoded = decodeMessage(frame)
        expect(decoded).toStrictEqual(msg)
        // Deterministic: one encoding per message.
        expect(encodeMessage(decoded)).toStrictEqual(frame)
      }), { numRuns: 150 })
    })
  }

  it('encodes frames that own their buffer', () => {
    fc.assert(fc.property(message, (msg) => {
      const frame = encodeMessage(msg)
      expect(frame.byteOffset).toBe(0)
      expect(frame.buffer.byteLength).toBe(frame.byteLength)
    }), { numRuns: 100 })
  })

  it('leaves out optional fields set to undefined', () => {
    const withUndefined = { t: 'error', id: undefined, code: 'ERR_X', message: undefined } as unknown as Message
    const frame = encodeMessage(withUndefined)
    expect(frame).toStrictEqual(encodeMessage({ t: 'error', code: 'ERR_X' }))
    expect(decodeMessage(frame)).toStrictEqual({ t: 'error', code: 'ERR_X' })
  })

  it('validateMessage returns the same object typed', () => {
    const ping = { t: 'ping', id: 3 }
    expect(validateMessage(ping)).toBe(ping)
  })

  it('accepts Uint8Array subclasses as input', () => {
    class Sub extends Uint8Array {}
    const frame = encodeMessage({ t: 'want', id: 1, cid: CID })
    const sub = new Sub(frame.length)
    sub.set(frame)
    const decoded = decodeMessage(sub) as { cid: Uint8Array }
    expect(decoded.cid.constructor).toBe(Uint8Array)
    expect(decoded).toStrictEqual({ t: 'want', id: 1, cid: CID })
  })
})

describe('encodeMessage rejects invalid messages', () => {
  it('throws typed errors for wrong shapes', () => {
    const bad: unknown[] = [
      { t: 'ping' },
      { t: 'ping', id: 1, extra: 1 },
      { t: 'ping', id: -1 },
      { t: 'ping', id: 1.5 },
      { t: 'want', id: 1, cid: new Uint8Array(36) },
      { t: 'nope', id: 1 },
      null,
      [1, 2]
    ]
    for (const msg of bad) {
      expect(codeOf(() => encodeMessage(msg as Message))).toMatch(/^ERR_(FRAME_MALFORMED|UNKNOWN_MESSAGE)$/)
    }
    expect(codeOf(() => encodeMessage({ t: 'nope' } as unknown as Message))).toBe('ERR_UNKNOWN_MESSAGE')
  })

  it('wraps a bad block id as MalformedFrameError with the InvalidIdError as cause', () => {
    const notRaw = CID.slice()
    notRaw[1] = 0x71
    try {
      decodeMessage(encode({ cid: notRaw, id: 1, t: 'want' }))
      expect.unreachable()
    } catch (err) {
      expect((err as { code: string }).code).toBe('ERR_FRAME_MALFORMED')
      expect((err as Error).cause).toBeInstanceOf(InvalidIdError)
    }
  })

  it('throws FrameTooLargeError for a frame over the limit', () => {
    const msg: BlockMessage = { t: 'block', id: 1, offset: 0, total: 100, data: new Uint8Array(100) }
    expect(codeOf(() => encodeMessage(msg, { maxFrameSize: 100 }))).toBe('ERR_FRAME_TOO_LARGE')
    expect(encodeMessage(msg, { maxFrameSize: 200 }).length).toBeLessThan(200)
  })
})

describe('decodeMessage', () => {
  it('checks the frame size before decoding', () => {
    expect(codeOf(() => decodeMessage(new Uint8Array(MAX_FRAME_SIZE + 1)))).toBe('ERR_FRAME_TOO_LARGE')
    expect(codeOf(() => decodeMessage(new Uint8Array(11), { maxFrameSize: 10 }))).toBe('ERR_FRAME_TOO_LARGE')
  })

  it('rejects an unknown type with UnknownMessageError', () => {
    expect(codeOf(() => decodeMessage(encode({ t: 'gossip', id: 1 })))).toBe('ERR_UNKNOWN_MESSAGE')
    expect(codeOf(() => decodeMessage(encode({ t: 1, id: 1 })))).toBe('ERR_FRAME_MALFORMED')
    expect(codeOf(() => decodeMessage(encode({ id: 1 })))).toBe('ERR_FRAME_MALFORMED')
  })

  it('returns block data as a view into the frame and small byte strings as copies', () => {
    const data = new Uint8Array(1000).fill(9)
    const frame = encodeMessage({ t: 'put', id: 1, cid: CID, offset: 0, total: 1000, data })
    const msg = decodeMessage(frame) as PutMessage
    expect(msg.data.buffer).toBe(frame.buffer)
    expect(msg.cid.buffer).not.toBe(frame.buffer)
    expect(msg.cid.buffer.byteLength).toBe(36)
  })

  it('rejects a put whose record does not decode, is too long, or comes on a later part', () => {
    const data = new Uint8Array(10)
    const bad = encode({ v: 9, r: 1 })
    const frame = (record: Uint8Array, offset = 0): Uint8Array =>
      encode({ t: 'put', id: 1, cid: CID, offset, total: 20, data, record })
    expect(codeOf(() => decodeMessage(frame(bad)))).toBe('ERR_FRAME_MALFORMED')
    expect(codeOf(() => decodeMessage(frame(new Uint8Array(MAX_RECORD_SIZE + 1))))).toBe('ERR_FRAME_MALFORMED')
    expect(codeOf(() => decodeMessage(frame(encodeRecord({ replicas: 1 }), 10)))).toBe('ERR_FRAME_MALFORMED')
    expect(decodeMessage(frame(encodeRecord({ replicas: 1 })))).toMatchObject({ t: 'put' })
  })

  it('rejects non-bytes input with a typed error', () => {
    expect(codeOf(() => decodeMessage('hello' as unknown as Uint8Array))).toBe('ERR_FRAME_MALFORMED')
  })
})

describe('1 MiB block frames', () => {
  const data = new Uint8Array(MAX_BLOCK_SIZE)
  for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff
  const block: BlockMessage = { t: 'block', id: 42, offset: 0, total: MAX_BLOCK_SIZE, data }

  it('round-trips a whole block in one frame within MAX_FRAME_SIZE', () => {
    const frame = encodeMessage(block)
    expect(frame.length).toBeLessThanOrEqual(MAX_BLOCK_SIZE + FRAME_OVERHEAD)
    expectSameBlock(decodeMessage(frame), block)
    const record = encodeRecord({ replicas: 16, expires: MAX_EXPIRY, owner: new Uint8Array(32).fill(0xff) })
    const put: PutMessage = { t: 'put', id: 0xffffffff, cid: CID, offset: 0, total: MAX_BLOCK_SIZE, data, replicas: 16, record }
    const putFrame = encodeMessage(put)
    expect(putFrame.length).toBeLessThanOrEqual(MAX_BLOCK_SIZE + FRAME_OVERHEAD)
    expectSameBlock(decodeMessage(putFrame), put)
  })

  it('decodes block data as a view into the frame, without copying it', () => {
    const frame = encodeMessage(block)
    const decoded = decodeMessage(frame) as BlockMessage
    expect(decoded.data.buffer).toBe(frame.buffer)
    expect(decoded.data.length).toBe(MAX_BLOCK_SIZE)
  })
})
