import { describe, expect, it } from 'vitest'
import { codeOf } from './test-support.js'
import fc from 'fast-check'
import { decodeMessage, encodeLengthPrefix, encodeLengthPrefixed, encodeMessage, FrameReader, LENGTH_PREFIX_BYTES } from './index.js'
import type { Message } from './index.js'
import { message } from './arbitraries.js'
import { concatBytes } from '../bytes.js'


/** Split `bytes` at the given offsets (any order, duplicates allowed: empty chunks). */
function splitAt (bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const cuts = [0, ...offsets.map((o) => o % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]
  return cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end))
}

function readAll (chunks: Uint8Array[], reader = new FrameReader()): Uint8Array[] {
  const frames = chunks.flatMap((chunk) => reader.push(chunk))
  reader.end()
  return frames
}

describe('FrameReader', () => {
  it('round-trips a sequence of frames split at any offsets', () => {
    fc.assert(fc.property(
      fc.array(message, { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (messages, offsets) => {
        const frames = messages.map((m) => encodeMessage(m))
        const stream = concatBytes(frames.map(encodeLengthPrefixed))
        const got = readAll(splitAt(stream, offsets))
        expect(got).toStrictEqual(frames)
        expect(got.map((f) => decodeMessage(f))).toStrictEqual(messages)
      }
    ), { numRuns: 300 })
  })

  it('round-trips a small sample split at every single offset, and byte by byte', () => {
    const messages: Message[] = [
      { t: 'ping', id: 1 },
      { t: 'error', code: 'ERR_X', message: 'boom' },
      { t: 'block', id: 9, offset: 0, total: 300, data: new Uint8Array(300).fill(3) },
      { t: 'pong', id: 0xffffffff }
    ]
    const frames = messages.map((m) => encodeMessage(m))
    const stream = concatBytes([...frames.map(encodeLengthPrefixed), encodeLengthPrefix(0)])
    const expected = [...frames, new Uint8Array(0)]
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(readAll([stream.subarray(0, cut), stream.subarray(cut)])).toStrictEqual(expected)
    }
    expect(readAll(Array.from(stream, (b) => Uint8Array.of(b)))).toStrictEqual(expected)
  })

  it('returns a frame inside one chunk as a view, a split frame as one exact buffer', () => {
    const frame = encodeMessage({ t: 'ping', id: 1 })
    const stream = encodeLengthPrefixed(frame)
    const [whole] = new FrameReader().push(stream)
    expect(whole?.buffer).toBe(stream.buffer)
    const reader = new FrameReader()
    expect(reader.push(stream.subarray(0, 6))).toStrictEqual([])
    expect(reader.buffered).toBe(6)
    const [joined] = reader.push(stream.subarray(6))
    expect(joined).toStrictEqual(frame)
    expect(joined?.buffer.byteLength).toBe(frame.length)
    expect(reader.buffered).toBe(0)
  })

  it('checks the size on the prefix, before buffering, and stays failed', () => {
    const reader = new FrameReader({ maxFrameSize: 100 })
    expect(reader.push(encodeLengthPrefix(100))).toStrictEqual([])
    expect(reader.buffered).toBe(4)
    reader.push(new Uint8Array(100))
    expect(codeOf(() => reader.push(encodeLengthPrefix(101)))).toBe('ERR_FRAME_TOO_LARGE')
    expect(codeOf(() => reader.push(new Uint8Array(1)))).toBe('ERR_FRAME_TOO_LARGE')
    expect(codeOf(() => reader.end())).toBe('ERR_FRAME_TOO_LARGE')
    // A prefix split over chunks is checked as soon as it is complete.
    const split = new FrameReader({ maxFrameSize: 100 })
    split.push(Uint8Array.of(0xff, 0xff))
    expect(codeOf(() => split.push(Uint8Array.of(0xff, 0xff)))).toBe('ERR_FRAME_TOO_LARGE')
  })

  it('accepts a frame of exactly the maximum size', () => {
    const frame = new Uint8Array(1000).fill(1)
    expect(readAll([encodeLengthPrefixed(frame)], new FrameReader({ maxFrameSize: 1000 }))).toStrictEqual([frame])
  })

  it('reports a stream that ends inside a frame or a prefix', () => {
    const stream = encodeLengthPrefixed(encodeMessage({ t: 'ping', id: 1 }))
    for (const cut of [1, LENGTH_PREFIX_BYTES - 1, LENGTH_PREFIX_BYTES, stream.length - 1]) {
      const reader = new FrameReader()
      reader.push(stream.subarray(0, cut))
      expect(codeOf(() => reader.end())).toBe('ERR_FRAME_MALFORMED')
    }
  })

  it('throws only typed errors on arbitrary byte streams', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      const code = codeOf(() => readAll(chunks, new FrameReader({ maxFrameSize: 200 })))
      expect(['no error', 'ERR_FRAME_TOO_LARGE', 'ERR_FRAME_MALFORMED']).toContain(code)
    }), { numRuns: 1000 })
  })

  it('prefixes lengths as 4-byte big-endian and refuses lengths that do not fit', () => {
    expect(encodeLengthPrefix(0x01020304)).toStrictEqual(Uint8Array.of(1, 2, 3, 4))
    expect(encodeLengthPrefix(0xffffffff)).toStrictEqual(Uint8Array.of(255, 255, 255, 255))
    expect(codeOf(() => encodeLengthPrefix(0x100000000))).toBe('ERR_FRAME_TOO_LARGE')
    expect(codeOf(() => encodeLengthPrefix(-1))).toBe('ERR_FRAME_TOO_LARGE')
  })
})
