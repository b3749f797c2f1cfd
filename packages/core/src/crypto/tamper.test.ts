import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { CHUNK_SIZE, HEADER_SIZE, SALT_SIZE, SEALED_CHUNK_SIZE, TAG_SIZE } from './geometry.js'
import { decryptRange, decryptStream, encryptStream } from '../index.js'
import { ChunkCipher } from './index.js'
import { collect, concat, cut, drain, errorCode, firstDifference, randomBytes, source } from '../../test/support/crypto.js'

const context = new TextEncoder().encode('cairn/v1/content')
const key = randomBytes(16)
const message = randomBytes(3 * CHUNK_SIZE + 100) // chunks 0..2 full, chunk 3 short
let ct: Uint8Array

beforeAll(async () => {
  ct = await collect(encryptStream(key, context, source([message])))
})
afterEach(() => { vi.restoreAllMocks() })

const chunkAt = (index: number): number => HEADER_SIZE + index * SEALED_CHUNK_SIZE
function flip (bytes: Uint8Array, offset: number): Uint8Array {
  const copy = bytes.slice()
  copy[offset] = (copy[offset] as number) ^ 0x01
  return copy
}
function swapChunks (bytes: Uint8Array, a: number, b: number): Uint8Array {
  const copy = bytes.slice()
  copy.set(bytes.subarray(chunkAt(a), chunkAt(a + 1)), chunkAt(b))
  copy.set(bytes.subarray(chunkAt(b), chunkAt(b + 1)), chunkAt(a))
  return copy
}

/**
 * Each case: the tampered ciphertext and how many leading chunks are still
 * authentic (the most plaintext that may be released). null = header failure.
 */
const cases: Array<[string, () => Uint8Array, number | null]> = [
  ['truncated at a chunk boundary (final chunk missing)', () => ct.subarray(0, chunkAt(3)), 3],
  ['truncated to the header', () => ct.subarray(0, HEADER_SIZE), 0],
  ['truncated inside the header', () => ct.subarray(0, 30), null],
  ['empty', () => new Uint8Array(0), null],
  ['truncated mid-chunk', () => ct.subarray(0, chunkAt(1) + 100), 1],
  ['truncated inside the final tag', () => ct.subarray(0, ct.length - 1), 3],
  ['final chunk cut below a tag', () => ct.subarray(0, chunkAt(3) + TAG_SIZE - 1), 3],
  ['one trailing byte', () => concat([ct, new Uint8Array(1)]), 3],
  ['16 trailing bytes', () => concat([ct, new Uint8Array(16)]), 3],
  ['a whole chunk of trailing bytes', () => concat([ct, ct.subarray(chunkAt(0), chunkAt(1))]), 3],
  ['chunks 0 and 1 swapped', () => swapChunks(ct, 0, 1), 0],
  ['chunks 1 and 2 swapped', () => swapChunks(ct, 1, 2), 1],
  ['chunk 0 duplicated over chunk 1', () => { const c = ct.slice(); c.set(ct.subarray(chunkAt(0), chunkAt(1)), chunkAt(1)); return c }, 1],
  ['flipped bit in the salt', () => flip(ct, 3), null],
  ['flipped bit in the commitment', () => flip(ct, SALT_SIZE + 5), null],
  ['flipped bit in a chunk body', () => flip(ct, chunkAt(2) + 1000), 2],
  ['flipped bit in a chunk tag', () => flip(ct, chunkAt(2) - 1), 1],
  ['flipped bit in the final tag', () => flip(ct, ct.length - 1), 3]
]

describe('tampered ciphertexts fail, release only authentic chunks, and keep failing', () => {
  for (const [name, make, authentic] of cases) {
    for (const concurrency of [1, 2, 64]) {
      it(`${name} (streaming, concurrency ${concurrency})`, async () => {
        const opened = vi.spyOn(ChunkCipher.prototype, 'open')
        const bad = make()
        const stream = decryptStream(key, context, source(cut(bad, concurrency)), { concurrency })
        const { released, error } = await drain(stream)
        expect(errorCode(error)).toBe('ERR_DECRYPT')
        expect(released.length).toBeLessThanOrEqual((authentic ?? 0) * CHUNK_SIZE)
        expect(released.length % CHUNK_SIZE).toBe(0)
        expect(firstDifference(released, message.subarray(0, released.length))).toBe(-1)
        if (authentic === null) expect(opened).not.toHaveBeenCalled()
        await expect(stream.next()).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
        await expect(stream.next()).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
      })
    }

    it(`${name} (random access, whole message)`, async () => {
      const bad = make()
      const read = async (offset: number, length: number): Promise<Uint8Array> => bad.subarray(offset, offset + length)
      const stream = decryptRange(key, context, read, bad.length, {}, { concurrency: 2 })
      const { released, error } = await drain(stream)
      expect(errorCode(error)).toBe('ERR_DECRYPT')
      expect(released.length).toBeLessThanOrEqual((authentic ?? 0) * CHUNK_SIZE)
      expect(firstDifference(released, message.subarray(0, released.length))).toBe(-1)
      await expect(stream.next()).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
    })
  }

  it('the untampered ciphertext decrypts (the cases above are meaningful)', async () => {
    const plaintext = await collect(decryptStream(key, context, source(cut(ct, 9))))
    expect(firstDifference(plaintext, message)).toBe(-1)
  })

  it('a wrong key or context fails at the commitment, before any chunk', async () => {
    const opened = vi.spyOn(ChunkCipher.prototype, 'open')
    const otherContext = new TextEncoder().encode('cairn/v1/manifest')
    for (const [k, c] of [[randomBytes(16), context], [key, otherContext], [key, new Uint8Array(0)]] as const) {
      const { released, error } = await drain(decryptStream(k, c, source([ct])))
      expect(errorCode(error)).toBe('ERR_DECRYPT')
      expect(released.length).toBe(0)
    }
    expect(opened).not.toHaveBeenCalled()
  })

  it('Cobblestone-256 does not open a Cobblestone-128 message, even with a long enough key', async () => {
    const { error } = await drain(decryptStream(concat([key, key]), context, source([ct]), { aead: 'AES-256-GCM' }))
    expect(errorCode(error)).toBe('ERR_DECRYPT')
  })

  it('rejects keys of the wrong length when they are given', async () => {
    for (const bad of [new Uint8Array(0), randomBytes(15), randomBytes(17), randomBytes(32)]) {
      expect(() => decryptStream(bad, context, source([ct]))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
      expect(() => encryptStream(bad, context, source([message]))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
      expect(() => decryptRange(bad, context, async () => ct, ct.length)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
      await expect(ChunkCipher.create(bad, context)).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' })
    }
    expect(() => decryptStream(randomBytes(16), context, source([ct]), { aead: 'AES-256-GCM' }))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
  })

  it('next() calls made concurrently all fail, none reports a clean end', async () => {
    const stream = decryptStream(key, context, source([flip(ct, chunkAt(0) + 3)]))
    const results = await Promise.allSettled([stream.next(), stream.next(), stream.next()])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected'])
  })

  it('every failure has the same message (no oracle)', async () => {
    const messages = new Set<string>()
    for (const [, make] of cases) {
      const { error } = await drain(decryptStream(key, context, source([make()])))
      messages.add((error as Error).message)
    }
    expect([...messages]).toEqual(['decryption failed'])
  })
})
