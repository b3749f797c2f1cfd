import { beforeAll, describe, expect, it } from 'vitest'
import { CHUNK_SIZE, HEADER_SIZE, SEALED_CHUNK_SIZE } from './geometry.js'
import { OutOfRangeError } from '../errors.js'
import { decryptRange, encryptStream } from '../index.js'
import { ChunkCipher, plaintextLength } from './index.js'
import { chunkSpan, openWindows } from './random-access.js'
import { collect, drain, errorCode, firstDifference, prng, randomBytes, source } from '../../test/support/crypto.js'

const context = new TextEncoder().encode('cairn/v1/content')
const BLOCK = 64 * CHUNK_SIZE

describe('decryptRange', () => {
  for (const aead of ['AES-128-GCM', 'AES-256-GCM'] as const) {
    describe(aead, () => {
      const key = randomBytes(aead === 'AES-128-GCM' ? 16 : 32)
      const message = randomBytes(2 * BLOCK + 5000)
      let ct: Uint8Array
      const reads: Array<[number, number]> = []
      const read = async (offset: number, length: number): Promise<Uint8Array> => {
        reads.push([offset, length])
        return ct.subarray(offset, offset + length)
      }
      beforeAll(async () => { ct = await collect(encryptStream(key, context, source([message]), { aead })) })

      it('random ranges equal the slice of the plaintext', async () => {
        const random = prng(aead.length)
        for (let i = 0; i < 40; i++) {
          const offset = Math.floor(random() * (message.length + 1))
          const length = Math.floor(random() * (i % 3 === 0 ? 3 * CHUNK_SIZE : message.length - offset + 1))
          const concurrency = 1 + Math.floor(random() * 70)
          const got = await collect(decryptRange(key, context, read, ct.length, { offset, length }, { aead, concurrency }))
          expect(firstDifference(got, message.subarray(offset, offset + length))).toBe(-1)
        }
      })

      it('edges: empty, whole, chunk boundaries, past the end (clipped)', async () => {
        const ranges: Array<[number, number | undefined]> = [
          [0, 0], [0, undefined], [CHUNK_SIZE, CHUNK_SIZE], [CHUNK_SIZE - 1, 2], [BLOCK - 1, 2], [BLOCK, 1],
          [message.length, 0], [message.length, undefined], [message.length - 1, 100], [5, message.length * 2]
        ]
        for (const [offset, length] of ranges) {
          const got = await collect(decryptRange(key, context, read, ct.length, { offset, length }, { aead }))
          const end = length === undefined ? message.length : offset + length
          expect(firstDifference(got, message.subarray(offset, end))).toBe(-1)
        }
        await expect(collect(decryptRange(key, context, read, ct.length, { offset: message.length + 1 }, { aead }))).rejects.toBeInstanceOf(OutOfRangeError)
        await expect(collect(decryptRange(key, context, read, ct.length, { offset: -1 }, { aead }))).rejects.toBeInstanceOf(OutOfRangeError)
      })

      it('reads only the header and the windows holding the range', async () => {
        reads.length = 0
        const offset = BLOCK + 3 * CHUNK_SIZE + 7
        const got = await collect(decryptRange(key, context, read, ct.length, { offset, length: 10 }, { aead }))
        expect(firstDifference(got, message.subarray(offset, offset + 10))).toBe(-1)
        expect(reads).toEqual([[0, HEADER_SIZE], [HEADER_SIZE + (64 + 3) * SEALED_CHUNK_SIZE, SEALED_CHUNK_SIZE]])
        // A whole-message read goes one block (64 chunks) at a time, block-aligned.
        reads.length = 0
        await collect(decryptRange(key, context, read, ct.length, {}, { aead }))
        expect(reads.slice(1).map(([o]) => o)).toEqual([0, 1, 2].map((b) => HEADER_SIZE + b * 64 * SEALED_CHUNK_SIZE))
      })

      it('a range ending at the end opens the final chunk; one short of it need not', async () => {
        const bad = ct.slice()
        bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1
        const readBad = async (offset: number, length: number): Promise<Uint8Array> => bad.subarray(offset, offset + length)
        const total = plaintextLength(bad.length)
        const atEnd = await drain(decryptRange(key, context, readBad, bad.length, { offset: total, length: 0 }, { aead }))
        expect(errorCode(atEnd.error)).toBe('ERR_DECRYPT')
        const inside = await collect(decryptRange(key, context, readBad, bad.length, { offset: 0, length: 2 * BLOCK }, { aead }))
        expect(firstDifference(inside, message.subarray(0, 2 * BLOCK))).toBe(-1)
      })

      it('fails on impossible lengths and short reads', async () => {
        for (const length of [0, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + SEALED_CHUNK_SIZE, HEADER_SIZE + SEALED_CHUNK_SIZE + 15]) {
          expect(() => plaintextLength(length)).toThrow(expect.objectContaining({ code: 'ERR_DECRYPT' }))
          const { error } = await drain(decryptRange(key, context, read, length, {}, { aead }))
          expect(errorCode(error)).toBe('ERR_DECRYPT')
        }
        const shortRead = async (offset: number, length: number): Promise<Uint8Array> => ct.subarray(offset, offset + length - 1)
        const { error } = await drain(decryptRange(key, context, shortRead, ct.length, {}, { aead }))
        expect(errorCode(error)).toBe('ERR_DECRYPT')
      })
    })
  }
})

describe('openWindows with an ahead that changes while it runs', () => {
  it('recycled parts stay intact until held + 1 later ones were asked for, in a pool sized by the largest ahead; a bad ahead is an OutOfRangeError', async () => {
    const key = randomBytes(16)
    const message = randomBytes(11 * BLOCK + 3000)
    const ct = await collect(encryptStream(key, context, source([message]), {}))
    const cipher = await ChunkCipher.open(key, context, ct.subarray(0, HEADER_SIZE), {})
    const total = plaintextLength(ct.length)
    const span = chunkSpan(total, {})
    if (span === undefined) throw new Error('no span')
    const random = prng(7)
    // Reads finish out of order, after a turn or two of the event loop.
    const readBody = async (offset: number, length: number): Promise<Uint8Array> => {
      await new Promise(resolve => setTimeout(resolve, Math.floor(random() * 3)))
      return ct.subarray(HEADER_SIZE + offset, HEADER_SIZE + offset + length)
    }
    const script = [0, 5, 1, 5, 2, 0, 4, 3]
    let asked = 0
    const ahead = (): number => script[asked++ % script.length] as number
    const held = 2
    const kept: Array<{ part: Uint8Array, at: number }> = []
    const buffers = new Set<ArrayBufferLike>()
    let at = 0
    for await (const parts of openWindows(cipher, readBody, total, span, { window: 64, ahead, recycle: true, held })) {
      for (const part of parts) {
        buffers.add(part.buffer)
        kept.push({ part, at })
        at += part.length
      }
      // Give the windows ahead time to be read and opened into the pool's other buffers.
      await new Promise(resolve => setTimeout(resolve, 2))
      const intact = kept.slice(-(held + 1)).map(k => firstDifference(k.part, message.subarray(k.at, k.at + k.part.length)))
      expect(intact).toEqual(intact.map(() => -1))
    }
    expect(at).toBe(message.length)
    expect(asked).toBeGreaterThan(kept.length) // asked before every window it started
    expect(buffers.size).toBeLessThanOrEqual(Math.max(...script) + held + 2)

    const bad = openWindows(cipher, readBody, total, span, { window: 64, ahead: () => 1.5 })
    await expect(bad.next()).rejects.toBeInstanceOf(OutOfRangeError)
  })
})
