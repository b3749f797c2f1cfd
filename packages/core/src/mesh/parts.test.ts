import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { FRAME_OVERHEAD } from '../wire/limits.js'
import { PartAssembler, partSize, splitParts } from './parts.js'

describe('block parts', () => {
  it('splits to the frame size and reassembles, at boundary sizes', () => {
    const frame = 1000 + FRAME_OVERHEAD
    for (const size of [0, 1, 999, 1000, 1001, 2000, 2999]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => i % 251)
      const parts = [...splitParts(bytes, frame)]
      expect(parts.length).toBe(Math.max(1, Math.ceil(size / 1000)))
      const assembler = new PartAssembler(size)
      let out: Uint8Array | undefined
      for (const [i, part] of parts.entries()) {
        out = assembler.add(part.offset, size, part.data)
        expect(out === undefined).toBe(i < parts.length - 1)
      }
      expect(out).toEqual(bytes)
    }
    expect(partSize(64 * 1024, 10)).toBe(10)
  })

  it('refuses gaps, overlaps, changed totals and oversized blocks', () => {
    expect(() => new PartAssembler(MAX_BLOCK_SIZE + 1)).toThrow(ProtocolError)
    const a = new PartAssembler(10)
    expect(() => a.add(5, 10, new Uint8Array(5))).toThrow(ProtocolError)
    a.add(0, 10, new Uint8Array(4))
    expect(() => a.add(4, 11, new Uint8Array(4))).toThrow(ProtocolError)
    expect(() => a.add(2, 10, new Uint8Array(4))).toThrow(ProtocolError)
    expect(() => a.add(4, 10, new Uint8Array(7))).toThrow(ProtocolError)
    expect(() => a.add(4, 10, new Uint8Array(0))).toThrow(ProtocolError)
    expect(a.add(4, 10, new Uint8Array(6))).toHaveLength(10)
  })
})
