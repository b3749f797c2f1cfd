import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ChunkCipher } from '../../src/crypto/chunk-cipher.js'
import {
  bodyPlaintextLength, chunkCount, ciphertextLength, plaintextLength, sealedChunkLength,
  CHUNK_SIZE, HEADER_SIZE, MAX_CHUNK_COUNT, SEALED_CHUNK_SIZE, TAG_SIZE
} from '../../src/crypto/geometry.js'
import { hkdfExpandSha512 } from '../../src/crypto/hkdf.js'
import { InvalidArgumentError, OutOfRangeError } from '../../src/errors.js'
import { chunkNonce } from '../../src/crypto/nonce.js'
import { concat, errorCode, hex, randomBytes } from '../support/crypto.js'

/** RFC 5869 HKDF-Expand with node:crypto's HMAC, as an independent reference. */
function referenceExpand (prk: Uint8Array, info: Uint8Array, length: number): string {
  let block = new Uint8Array(0)
  const blocks: Uint8Array[] = []
  for (let i = 1; blocks.length * 64 < length; i++) {
    block = new Uint8Array(createHmac('sha512', prk).update(concat([block, info, new Uint8Array([i])])).digest())
    blocks.push(block)
  }
  return hex(concat(blocks).subarray(0, length))
}

describe('HKDF-Expand-SHA-512', () => {
  it('matches an independent RFC 5869 implementation', async () => {
    for (const [keySize, infoSize, length] of [[16, 0, 60], [32, 70, 76], [16, 200, 64], [32, 3, 65], [16, 1, 0], [64, 40, 300]]) {
      const prk = randomBytes(keySize as number)
      const info = randomBytes(infoSize as number)
      expect(hex(await hkdfExpandSha512(prk, info, length as number))).toBe(referenceExpand(prk, info, length as number))
    }
  })

  it('refuses more than 255 blocks', async () => {
    await expect(hkdfExpandSha512(randomBytes(16), new Uint8Array(0), 255 * 64 + 1)).rejects.toBeInstanceOf(OutOfRangeError)
  })
})

describe('chunk nonces', () => {
  const base = randomBytes(12)
  const reference = (index: bigint): string => {
    const value = BigInt('0x' + hex(base)) ^ index
    return value.toString(16).padStart(24, '0')
  }

  it('XOR the index, big-endian, into the base nonce, for indexes past 2^32 and 2^40', () => {
    const indexes = [0, 1, 255, 256, 65535, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 38 - 1, 2 ** 40, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]
    for (const index of indexes) expect(hex(chunkNonce(base, index))).toBe(reference(BigInt(index)))
    expect(hex(base)).toBe(reference(0n)) // the base nonce is not modified
  })

  it('reject indexes that are not safe non-negative integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => chunkNonce(base, bad)).toThrow(OutOfRangeError)
  })
})

describe('ChunkCipher', () => {
  it('seals and opens at indexes beyond 32 bits, bound to the index', async () => {
    const cipher = await ChunkCipher.fromRaw(randomBytes(16), randomBytes(12))
    const plaintext = randomBytes(CHUNK_SIZE)
    const index = 2 ** 32 + 1
    const sealed = await cipher.seal(index, plaintext)
    expect(sealed.length).toBe(SEALED_CHUNK_SIZE)
    expect(hex(await cipher.open(index, sealed))).toBe(hex(plaintext))
    await expect(cipher.open(1, sealed)).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
    await expect(cipher.open(index + 2 ** 32, sealed)).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
  })

  it('stops at the maximum chunk count', async () => {
    const cipher = await ChunkCipher.fromRaw(randomBytes(16), randomBytes(12))
    const sealed = await cipher.seal(MAX_CHUNK_COUNT - 1, new Uint8Array(5))
    expect((await cipher.open(MAX_CHUNK_COUNT - 1, sealed)).length).toBe(5)
    await expect(cipher.seal(MAX_CHUNK_COUNT, new Uint8Array(5))).rejects.toBeInstanceOf(OutOfRangeError)
    await expect(cipher.open(MAX_CHUNK_COUNT, sealed)).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
  })

  it('rejects oversized plaintext and impossible sealed lengths', async () => {
    const cipher = await ChunkCipher.fromRaw(randomBytes(32), randomBytes(12), { aead: 'AES-256-GCM' })
    await expect(cipher.seal(0, new Uint8Array(CHUNK_SIZE + 1))).rejects.toBeInstanceOf(OutOfRangeError)
    for (const length of [0, TAG_SIZE - 1, SEALED_CHUNK_SIZE + 1]) {
      await expect(cipher.open(0, new Uint8Array(length))).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
    }
    await expect(ChunkCipher.fromRaw(randomBytes(16), randomBytes(12), { aead: 'AES-256-GCM' })).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' })
    await expect(ChunkCipher.fromRaw(randomBytes(16), randomBytes(11))).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' })
  })

  it('create/open share the header; sealMany/openMany batch in order', async () => {
    const key = randomBytes(16)
    const context = new TextEncoder().encode('ctx')
    const { cipher, header } = await ChunkCipher.create(key, context)
    expect(header.length).toBe(HEADER_SIZE)
    const chunks = [randomBytes(CHUNK_SIZE), randomBytes(CHUNK_SIZE), randomBytes(10)]
    const sealed = await cipher.sealMany(7, chunks)
    const reopened = await ChunkCipher.open(key, context, header)
    expect((await reopened.openMany(7, sealed)).map(hex)).toEqual(chunks.map(hex))
    await expect(reopened.openMany(6, sealed)).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
    await expect(ChunkCipher.open(key, context, header.subarray(1))).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
    const err = await ChunkCipher.open(key, new Uint8Array(0), header).catch((error: unknown) => error)
    expect(errorCode(err)).toBe('ERR_DECRYPT')
  })
})

  it('sealInto writes what sealMany returns, at an offset, and refuses a buffer too small or a short chunk inside', async () => {
    const { cipher } = await ChunkCipher.create(randomBytes(16), new Uint8Array(0))
    const chunks = [randomBytes(CHUNK_SIZE), randomBytes(CHUNK_SIZE), randomBytes(10)]
    const expected = concat(await cipher.sealMany(64, chunks))
    const out = new Uint8Array(5 + expected.length + 3).fill(0xee)
    await cipher.sealInto(64, chunks, out, 5)
    expect(hex(out.subarray(5, 5 + expected.length))).toBe(hex(expected))
    expect([...out.subarray(0, 5), ...out.subarray(5 + expected.length)]).toEqual(new Array(8).fill(0xee))
    await expect(cipher.sealInto(64, chunks, new Uint8Array(expected.length - 1))).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(cipher.sealInto(0, [randomBytes(10), randomBytes(CHUNK_SIZE)], new Uint8Array(2 * SEALED_CHUNK_SIZE)))
      .rejects.toBeInstanceOf(InvalidArgumentError)
  })

describe('length arithmetic', () => {
  it('round-trips plaintext and ciphertext lengths, up to and past 1 TiB', () => {
    for (const size of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 ** 40, 2 ** 40 + 3, 2 ** 50 - 1]) {
      const length = ciphertextLength(size)
      expect(plaintextLength(length)).toBe(size)
      expect(bodyPlaintextLength(length - HEADER_SIZE)).toBe(size)
      expect(chunkCount(size)).toBe(Math.floor(size / CHUNK_SIZE) + 1)
      expect(sealedChunkLength(size, chunkCount(size) - 1)).toBe(size % CHUNK_SIZE + TAG_SIZE)
    }
    expect(ciphertextLength(2 ** 40)).toBe(HEADER_SIZE + 2 ** 26 * SEALED_CHUNK_SIZE + TAG_SIZE)
  })

  it('rejects lengths no message has', () => {
    const bad = [-1, 0, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + TAG_SIZE - 1, HEADER_SIZE + SEALED_CHUNK_SIZE,
      HEADER_SIZE + 5 * SEALED_CHUNK_SIZE + 3, 1.5, Number.NaN, HEADER_SIZE + MAX_CHUNK_COUNT * SEALED_CHUNK_SIZE + TAG_SIZE]
    for (const length of bad) expect(() => plaintextLength(length)).toThrow(expect.objectContaining({ code: 'ERR_DECRYPT' }))
    expect(() => ciphertextLength(MAX_CHUNK_COUNT * CHUNK_SIZE)).toThrow(OutOfRangeError)
  })
})
