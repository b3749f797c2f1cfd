import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { encode } from 'cborg'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import type { BlockId } from '../block/id.js'
import { ManifestError } from '../errors.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { blockCount, bodyLength, HEADER_SIZE } from '../crypto/geometry.js'
import { MAX_FILE_SIZE } from './manifest-fields.js'
import { validateName } from './manifest-fields.js'
import {
  decodeContinuation, decodeRoot, encodeContinuation, encodeRoot, MAX_LIST_BLOCKS, MAX_PARTS,
  type ManifestPart, type RootManifest
} from './manifest.js'

const TiB = 2 ** 40

/** A distinct, valid block id for every index, without hashing anything. */
function fakeId (index: number): BlockId {
  const digest = new Uint8Array(32)
  new DataView(digest.buffer).setFloat64(0, index)
  digest[31] = 0xa5
  return CID.createV1(raw.code, createDigest(0x12, digest))
}

function fakeIds (from: number, count: number): BlockId[] {
  return Array.from({ length: count }, (_, i) => fakeId(from + i))
}

/** Bytes a manifest block takes once sealed as its own Cobblestone message. */
function sealedSize (plaintext: Uint8Array): number {
  return HEADER_SIZE + bodyLength(plaintext.length)
}

function root (size: number, list: { blocks: BlockId[] } | { parts: ManifestPart[] }, name = 'movie.mkv'): RootManifest {
  return { name, type: 'video/x-matroska', size, mtime: 1_700_000_000_123, header: new Uint8Array(56).fill(9), ...list }
}

function expectManifestError (fn: () => unknown, what?: string): void {
  let error: unknown
  try {
    fn()
  } catch (err) {
    error = err
  }
  expect(error, what).toBeInstanceOf(ManifestError)
}

describe('manifest codec', () => {
  it('round-trips a small file with an inline block list', () => {
    const size = 3 * 1024 * 1024 + 5
    const manifest = root(size, { blocks: fakeIds(0, blockCount(size)) }, 'été 🎵.mp3')
    const decoded = decodeRoot(encodeRoot(manifest))
    expect(decoded.name).toBe('été 🎵.mp3')
    expect(decoded.size).toBe(size)
    expect(decoded.mtime).toBe(manifest.mtime)
    expect(decoded.header).toEqual(manifest.header)
    expect(decoded.blocks?.map(String)).toEqual(manifest.blocks?.map(String))
  })

  it('computes block counts from the plaintext size', () => {
    expect(blockCount(0)).toBe(1)
    expect(blockCount(1024 * 1024 - 1)).toBe(1)
    expect(blockCount(1024 * 1024)).toBe(2) // the empty final chunk spills into a 16-byte block
    expect(blockCount(1024 * 1024 + 1)).toBe(2)
    expect(blockCount(TiB)).toBe(1_048_577)
  })

  it('represents a 1 TiB file as a root plus continuation blocks that each fit in one block', () => {
    const total = blockCount(TiB)
    const parts: ManifestPart[] = []
    let largest = 0
    const ids = fakeIds(0, MAX_LIST_BLOCKS)
    for (let first = 0, n = 0; first < total; first += MAX_LIST_BLOCKS, n++) {
      const count = Math.min(MAX_LIST_BLOCKS, total - first)
      // Every full continuation reuses one list of distinct ids: only sizes matter here.
      const bytes = encodeContinuation(count === MAX_LIST_BLOCKS ? ids : fakeIds(first, count))
      largest = Math.max(largest, sealedSize(bytes))
      if (n % 20 === 0 || first + count === total) {
        const decoded = decodeContinuation(bytes, count)
        expect(decoded).toHaveLength(count)
        const offset = count === MAX_LIST_BLOCKS ? 0 : first
        expect(decoded[0]?.equals(fakeId(offset))).toBe(true)
        expect(decoded[count - 1]?.equals(fakeId(offset + count - 1))).toBe(true)
      }
      parts.push({ id: fakeId(-1 - n), count })
    }
    expect(largest).toBeLessThanOrEqual(MAX_BLOCK_SIZE)
    const bytes = encodeRoot(root(TiB, { parts }))
    expect(sealedSize(bytes)).toBeLessThanOrEqual(MAX_BLOCK_SIZE)
    const decoded = decodeRoot(bytes)
    expect(decoded.parts).toHaveLength(Math.ceil(total / MAX_LIST_BLOCKS))
    expect(decoded.parts?.reduce((sum, part) => sum + part.count, 0)).toBe(total)
  })

  it('fits the largest inline list and the largest parts list in one block', () => {
    const inlineSize = (MAX_LIST_BLOCKS - 1) * 1024 * 1024 // exactly MAX_LIST_BLOCKS blocks
    expect(blockCount(inlineSize)).toBe(MAX_LIST_BLOCKS)
    const inline = encodeRoot(root(inlineSize, { blocks: fakeIds(0, MAX_LIST_BLOCKS) }, 'n'.repeat(255)))
    expect(sealedSize(inline)).toBeLessThanOrEqual(MAX_BLOCK_SIZE)
    expect(decodeRoot(inline).blocks).toHaveLength(MAX_LIST_BLOCKS)

    const total = blockCount(MAX_FILE_SIZE)
    const parts = Array.from({ length: MAX_PARTS }, (_, n) =>
      ({ id: fakeId(n), count: Math.min(MAX_LIST_BLOCKS, total - n * MAX_LIST_BLOCKS) }))
    const largest = encodeRoot(root(MAX_FILE_SIZE, { parts }, 'n'.repeat(255)))
    expect(sealedSize(largest)).toBeLessThanOrEqual(MAX_BLOCK_SIZE)
    expect(decodeRoot(largest).parts).toHaveLength(MAX_PARTS)
  })

  it('rejects block lists that disagree with the size', () => {
    expectManifestError(() => decodeRoot(encodeRoot(root(10, { blocks: fakeIds(0, 2) }))))
    expectManifestError(() => decodeRoot(encodeRoot(root(10, { blocks: [] }))))
    expectManifestError(() => decodeRoot(encodeRoot(root(2 ** 21, { blocks: fakeIds(0, 2) }))))
    const big = 30_000 * 2 ** 20
    const count = blockCount(big)
    expectManifestError(() => decodeRoot(encodeRoot(root(big, { blocks: fakeIds(0, count) }))))
    expectManifestError(() => decodeRoot(encodeRoot(root(big, { parts: [{ id: fakeId(1), count: MAX_LIST_BLOCKS }] }))))
    expectManifestError(() => decodeRoot(encodeRoot(root(10, { parts: [{ id: fakeId(1), count: 1 }] }))))
    const over = [{ id: fakeId(1), count: MAX_LIST_BLOCKS + 1 }, { id: fakeId(2), count: count - MAX_LIST_BLOCKS - 1 }]
    expectManifestError(() => decodeRoot(encodeRoot(root(big, { parts: over }))))
    const ok = [{ id: fakeId(1), count: MAX_LIST_BLOCKS }, { id: fakeId(2), count: count - MAX_LIST_BLOCKS }]
    expect(decodeRoot(encodeRoot(root(big, { parts: ok }))).parts).toHaveLength(2)
    expectManifestError(() => decodeContinuation(encodeContinuation(fakeIds(0, 3)), 4))
  })

  it('rejects bad field values', () => {
    const valid: Record<string, unknown> = {
      v: 1, name: 'a.txt', type: 'text/plain', size: 1, mtime: 0, header: new Uint8Array(56), blocks: [fakeId(0).bytes]
    }
    expect(decodeRoot(encode(valid)).name).toBe('a.txt')
    const bad: Array<[string, unknown]> = [
      ['v', 2], ['v', '1'], ['name', ''], ['name', 'a/b'], ['name', 'a\0b'], ['name', 'a\nb'], ['name', '..'],
      ['name', 'é'.repeat(128)], ['name', 7], ['type', ''], ['type', 'x'.repeat(128)],
      ['type', 'text/plain\n'], ['type', 'tëxt/plain'], ['size', -1], ['size', 1.5], ['size', MAX_FILE_SIZE + 1],
      ['size', '1'], ['mtime', 1.5], ['mtime', 9e15], ['mtime', null], ['header', new Uint8Array(55)],
      ['header', 'x'.repeat(56)], ['blocks', [fakeId(0).bytes.subarray(1)]], ['blocks', ['x']],
      ['blocks', [CID.parse('bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy').bytes]],
      ['blocks', fakeId(0).bytes], ['extra', 1]
    ]
    for (const [field, value] of bad) {
      expectManifestError(() => decodeRoot(encode({ ...valid, [field]: value })), `${field}: ${String(value)}`)
    }
    for (const field of Object.keys(valid)) {
      const { [field]: _omitted, ...rest } = valid
      expectManifestError(() => decodeRoot(encode(rest)))
    }
    expectManifestError(() => decodeRoot(encode({ ...valid, parts: [] })))
    // CBOR cannot carry a lone surrogate; writers are stopped before encoding.
    expectManifestError(() => validateName('x\uD800'))
    expect(validateName('x\uD83C\uDFB5')).toBe('x🎵')
    expectManifestError(() => decodeContinuation(encode({ ...valid }), 1))
  })

  it('rejects non-canonical, truncated and garbage CBOR with ManifestError only', () => {
    const bytes = encodeRoot(root(5, { blocks: fakeIds(0, 1) }))
    for (let end = 0; end < bytes.length; end++) expectManifestError(() => decodeRoot(bytes.subarray(0, end)))
    expectManifestError(() => decodeRoot(new Uint8Array([...bytes, 0])))
    expectManifestError(() => decodeRoot(new Uint8Array([0x18, 0x01]))) // non-minimal integer
    expectManifestError(() => decodeRoot(new Uint8Array([0xbf, 0xff]))) // indefinite-length map
    expectManifestError(() => decodeRoot(new Uint8Array([0xa1, 0x01, 0x01]))) // non-string key
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), garbage => {
      expectManifestError(() => decodeRoot(garbage))
      expectManifestError(() => decodeContinuation(garbage, 1))
    }))
    fc.assert(fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
      const mutated = bytes.slice()
      mutated[at] = (mutated[at] ?? 0) ^ x
      try {
        decodeRoot(mutated)
      } catch (err) {
        expect(err).toBeInstanceOf(ManifestError)
      }
    }))
  })
})
