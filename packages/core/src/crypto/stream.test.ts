import { describe, expect, it } from 'vitest'
import type { Aead } from './constants.js'
import { CHUNK_SIZE, HEADER_SIZE, SEALED_CHUNK_SIZE } from './geometry.js'
import { InvalidArgumentError } from '../errors.js'
import { decryptStream, encryptStream } from '../index.js'
import { ciphertextLength, plaintextLength } from './index.js'
import { collect, cut, firstDifference, randomBytes, source } from '../../test/support/crypto.js'

const BLOCK = 64 * CHUNK_SIZE
const SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 777]
const AEADS: Array<[Aead, number]> = [['AES-128-GCM', 16], ['AES-256-GCM', 32]]
const context = new TextEncoder().encode('cairn/v1/content')

describe('encryptStream / decryptStream round trips', () => {
  for (const [aead, keySize] of AEADS) {
    for (const size of SIZES) {
      it(`${aead}, ${size} bytes, uneven pieces`, async () => {
        const key = randomBytes(keySize)
        const message = randomBytes(size)
        const seed = size + keySize
        const ciphertext = await collect(encryptStream(key, context, source(cut(message, seed)), { aead }))
        expect(ciphertext.length).toBe(ciphertextLength(size))
        expect(plaintextLength(ciphertext.length)).toBe(size)
        for (const concurrency of [1, 3, undefined]) {
          const plaintext = await collect(decryptStream(key, context, source(cut(ciphertext, seed + 1)), { aead, concurrency }))
          expect(firstDifference(plaintext, message)).toBe(-1)
        }
      })
    }

    it(`${aead}: 1-byte pieces in and out for small sizes`, async () => {
      const key = randomBytes(keySize)
      for (const size of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1]) {
        const message = randomBytes(size)
        const ciphertext = await collect(encryptStream(key, context, source(cut(message, 0, 1)), { aead, concurrency: 2 }))
        const plaintext = await collect(decryptStream(key, context, source(cut(ciphertext, 0, 1)), { aead, concurrency: 2 }))
        expect(firstDifference(plaintext, message)).toBe(-1)
      }
    })
  }

  it('defaults to Cobblestone-128 and a fresh salt per message', async () => {
    const key = randomBytes(16)
    const message = randomBytes(100)
    const a = await collect(encryptStream(key, context, source([message])))
    const b = await collect(encryptStream(key, context, source([message])))
    expect(firstDifference(a.subarray(0, HEADER_SIZE), b.subarray(0, HEADER_SIZE))).not.toBe(-1)
    expect(firstDifference(await collect(decryptStream(key, context, source([b]))), message)).toBe(-1)
    expect(() => encryptStream(randomBytes(32), context, source([message]))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
  })

  it('yields the header, then one sealed chunk at a time', async () => {
    const pieces: Uint8Array[] = []
    for await (const piece of encryptStream(randomBytes(16), context, source([randomBytes(2 * CHUNK_SIZE + 5)]))) pieces.push(piece)
    expect(pieces.map((piece) => piece.length)).toEqual([HEADER_SIZE, SEALED_CHUNK_SIZE, SEALED_CHUNK_SIZE, 5 + 16])
  })
})

describe('bounded memory and cancellation', () => {
  /** An endless plaintext source that counts what has been pulled from it. */
  function endless (pieceSize: number): { stream: AsyncGenerator<Uint8Array>, pulled: () => number, closed: () => boolean } {
    let pulled = 0
    let closed = false
    const piece = new Uint8Array(pieceSize)
    const stream = (async function * () {
      try {
        for (;;) { pulled += piece.length; yield piece }
      } finally { closed = true }
    })()
    return { stream, pulled: () => pulled, closed: () => closed }
  }

  for (const concurrency of [1, 4, 64]) {
    it(`encryption reads at most the window ahead (concurrency ${concurrency})`, async () => {
      const input = endless(CHUNK_SIZE)
      const output = encryptStream(randomBytes(16), context, input.stream, { concurrency })
      let seen = 0
      for await (const piece of output) {
        if (++seen === 3) {
          expect(piece.length).toBe(SEALED_CHUNK_SIZE)
          break
        }
      }
      // Two chunks consumed; at most `concurrency` more can be in flight, plus the one being read.
      expect(input.pulled()).toBeLessThanOrEqual((2 + concurrency + 1) * CHUNK_SIZE)
      expect(input.closed()).toBe(true)
    })
  }

  it('decryption reads at most the window ahead, and stops its source when abandoned', async () => {
    const key = randomBytes(16)
    const ciphertext = await collect(encryptStream(key, context, source([randomBytes(40 * CHUNK_SIZE)])))
    let pulled = 0
    let closed = false
    const input = (async function * () {
      try {
        for (const piece of cut(ciphertext, 5, 1000)) { pulled += piece.length; yield piece }
      } finally { closed = true }
    })()
    const output = decryptStream(key, context, input, { concurrency: 4 })
    const first = await output.next()
    expect(first.value?.length).toBe(CHUNK_SIZE)
    expect(pulled).toBeLessThanOrEqual(HEADER_SIZE + 6 * SEALED_CHUNK_SIZE)
    await output.return?.()
    expect(closed).toBe(true)
  })

  it('refuses pieces that are not Uint8Array rather than skipping them', async () => {
    const input = source([new Uint8Array(10), new ArrayBuffer(10) as unknown as Uint8Array])
    await expect(collect(encryptStream(randomBytes(16), context, input))).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('passes a source error through, and keeps failing', async () => {
    const failure = new Error('disk on fire')
    const input = (async function * () { yield randomBytes(3 * CHUNK_SIZE); throw failure })()
    const output = encryptStream(randomBytes(16), context, input)
    await expect(collect(output)).rejects.toBe(failure)
    await expect(output.next()).rejects.toBe(failure)
  })
})
