import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { blockFrame, decodeMessage, encodeMessage, FRAME_OVERHEAD, MAX_FRAME_SIZE } from './index.js'
import { FrameTooLargeError, InvalidArgumentError, MalformedFrameError } from '../errors.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { equalBytes } from '../block/id.js'

const fill = (bytes: Uint8Array, seed: number): void => {
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + seed) & 0xff
}

describe('blockFrame', () => {
  it('is byte for byte the frame encodeMessage gives, for any header and data length', () => {
    const check = (id: number, length: number, seed: number): void => {
      const framed = blockFrame({ t: 'block', id, offset: 0, total: length }, length)
      if (framed === undefined) return // the header spelled the data slot twice: the caller uses encodeMessage
      expect(framed.body.length).toBe(length)
      expect(framed.body.buffer).toBe(framed.frame.buffer)
      fill(framed.body, seed)
      const encoded = encodeMessage({ t: 'block', id, offset: 0, total: length, data: framed.body.slice() })
      expect(equalBytes(framed.frame, encoded)).toBe(true)
    }
    // Every length whose byte-string header differs in form, at its edges.
    for (const length of [0, 1, 23, 24, 255, 256, 65535, 65536, MAX_BLOCK_SIZE]) check(2 ** 31 + length, length, length)
    fc.assert(fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 70_000 }), fc.nat({ max: 255 }), check), { numRuns: 100 })
  })

  it('frames a part of a block as encodeMessage does', () => {
    const framed = blockFrame({ t: 'block', id: 9, offset: 4096, total: 10_000 }, 5000)
    expect(framed).toBeDefined()
    fill(framed!.body, 3)
    const decoded = decodeMessage(framed!.frame)
    expect(decoded).toMatchObject({ t: 'block', id: 9, offset: 4096, total: 10_000 })
    expect(equalBytes((decoded as { data: Uint8Array }).data, framed!.body)).toBe(true)
  })

  it('validates like encodeMessage: bad fields, bad lengths and frames over the limit throw before any data', () => {
    expect(() => blockFrame({ t: 'block', id: -1, offset: 0, total: 10 }, 10)).toThrow(MalformedFrameError)
    expect(() => blockFrame({ t: 'block', id: 1, offset: 0, total: 10 }, 11)).toThrow(MalformedFrameError)
    expect(() => blockFrame({ t: 'block', id: 1, offset: 0, total: 10 }, -1)).toThrow(InvalidArgumentError)
    expect(() => blockFrame({ t: 'block', id: 1, offset: 0, total: 10 }, 1.5)).toThrow(InvalidArgumentError)
    expect(() => blockFrame({ t: 'block', id: 1, offset: 0, total: 4096 }, 4096, 4096)).toThrow(FrameTooLargeError)
    expect(blockFrame({ t: 'block', id: 1, offset: 0, total: 4096 - FRAME_OVERHEAD }, 4096 - FRAME_OVERHEAD, 4096)).toBeDefined()
    expect(MAX_BLOCK_SIZE + FRAME_OVERHEAD).toBeLessThanOrEqual(MAX_FRAME_SIZE)
  })
})
