import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { inflateSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ByteReader } from '../../src/crypto/byte-reader.js'
import { ChunkCipher } from '../../src/crypto/chunk-cipher.js'
import { openChunks, sealChunks } from '../../src/crypto/chunk-stream.js'
import { bodyPlaintextLength, HEADER_SIZE, plaintextLength, SALT_SIZE } from '../../src/crypto/geometry.js'
import { chunkSpan, openRange } from '../../src/crypto/random-access.js'
import type { Aead } from '../../src/crypto/constants.js'
import { decryptRange, decryptStream, encryptStream } from '../../src/index.js'
import { cryptoProvider, setCryptoProvider, webCryptoProvider, type CryptoProvider } from '../../src/crypto/provider.js'
import { collect, cut, drain, errorCode, firstDifference, fromHex, sha512Hex, source, type Outcome } from '../support/crypto.js'

// Wycheproof's C2SP chunked-encryption vectors, vendored with their source and
// licence: see ../vectors/README.md. `describeVectors(provider)` runs every
// vector with `provider` installed as core's CryptoProvider: core runs it with
// Web Crypto (vectors.test.ts), node-host with node:crypto.
const VECTORS = new URL('../vectors/c2sp_chunked_encryption_aes_256_gcm_test.json', import.meta.url)
if (!existsSync(VECTORS)) throw new Error(`Cobblestone test vectors missing: ${fileURLToPath(VECTORS)}`)

interface Vector {
  tcId: number
  comment: string
  key: string
  ctx: string
  ct: string
  aeadKey?: string
  baseNonce?: string
  msgLength?: number
  msgSha512?: string
  result: 'valid' | 'invalid'
  flags: string[]
}
interface Group { aead: string, sha: string, tests: Vector[] }

const AEADS: Record<string, Aead> = { AEAD_AES_128_GCM: 'AES-128-GCM', AEAD_AES_256_GCM: 'AES-256-GCM' }
const file = JSON.parse(readFileSync(VECTORS, 'utf8')) as { numberOfTests: number, testGroups: Group[] }


/** Checks a failed or successful decryption against the vector's rules. */
async function expectOutcome (vector: Vector, outcome: Outcome): Promise<void> {
  if (vector.result === 'valid') {
    expect(outcome.error).toBeUndefined()
    expect(outcome.released.length).toBe(vector.msgLength)
    expect(await sha512Hex(outcome.released)).toBe(vector.msgSha512)
    return
  }
  expect(errorCode(outcome.error)).toBe('ERR_DECRYPT')
  if (!vector.flags.includes('PartialPlaintext')) {
    expect(outcome.released.length).toBe(0)
  } else if (outcome.released.length > 0) {
    // This implementation releases every authenticated chunk before the failure, no more.
    expect(outcome.released.length).toBe(vector.msgLength)
    expect(await sha512Hex(outcome.released)).toBe(vector.msgSha512)
  }
}

/** Reads on after a failure: it must fail again rather than end cleanly. */
async function expectStillFailing (stream: AsyncIterator<Uint8Array>): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const again = await stream.next().then(() => undefined, (error: unknown) => error)
    expect(errorCode(again)).toBe('ERR_DECRYPT')
  }
}

function reader (bytes: Uint8Array) {
  return async (offset: number, length: number): Promise<Uint8Array> => bytes.subarray(offset, offset + length)
}

export function describeVectors (provider: CryptoProvider): void {
describe(`Wycheproof C2SP chunked encryption vectors, ${provider.name} provider`, () => {
  beforeAll(() => { setCryptoProvider(provider) })
  afterAll(() => { setCryptoProvider(webCryptoProvider) })
  afterEach(() => { vi.restoreAllMocks() })

  it(`seals and opens through the ${provider.name} provider`, async () => {
    expect(cryptoProvider()).toBe(provider)
    const imported = vi.spyOn(provider, 'importAeadKey')
    const cipher = await ChunkCipher.fromRaw(new Uint8Array(16), new Uint8Array(12))
    expect(imported).toHaveBeenCalledTimes(1)
    const sealed = await cipher.seal(0, new Uint8Array([1, 2, 3]))
    expect([...await cipher.open(0, sealed)]).toEqual([1, 2, 3])
  })

  it('covers every vector in the file', () => {
    expect(file.testGroups.reduce((sum, group) => sum + group.tests.length, 0)).toBe(file.numberOfTests)
    expect(file.numberOfTests).toBeGreaterThan(30)
  })

  for (const group of file.testGroups) {
    const aead = AEADS[group.aead]
    if (aead === undefined || group.sha !== 'SHA-512') throw new Error(`unexpected group ${group.aead}/${group.sha}`)

    describe(`${group.aead} ${group.sha}`, () => {
      for (const vector of group.tests) {
        const key = fromHex(vector.key)
        const ctx = fromHex(vector.ctx)
        const ct = new Uint8Array(inflateSync(fromHex(vector.ct)))
        const label = `#${vector.tcId} ${vector.comment} [${vector.flags.join(', ')}]`

        if (vector.flags.includes('InvalidKeySize')) {
          it(`${label}: rejects the key when given`, async () => {
            expect(() => decryptStream(key, ctx, source([ct]), { aead })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
            expect(() => decryptRange(key, ctx, reader(ct), ct.length, {}, { aead })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
            await expect(ChunkCipher.open(key, ctx, ct.subarray(0, HEADER_SIZE), { aead })).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' })
          })
          continue
        }

        it(`${label}: streaming`, async () => {
          const opened = vi.spyOn(ChunkCipher.prototype, 'open')
          for (const [seed, size] of [[vector.tcId, undefined], [vector.tcId + 1000, 7777], [vector.tcId + 2000, 1]] as const) {
            if (size === 1 && ct.length > 40_000) continue
            const stream = decryptStream(key, ctx, source(cut(ct, seed, size)), { aead, concurrency: 1 + (seed % 5) })
            await expectOutcome(vector, await drain(stream))
            if (vector.result === 'invalid') await expectStillFailing(stream)
          }
          if (vector.flags.includes('HeaderFailure')) expect(opened).not.toHaveBeenCalled()
          else expect(opened).toHaveBeenCalled()
        })

        it(`${label}: random access`, async () => {
          const opened = vi.spyOn(ChunkCipher.prototype, 'openRun')
          const whole = decryptRange(key, ctx, reader(ct), ct.length, {}, { aead })
          const outcome = await drain(whole)
          if (vector.result === 'valid') {
            await expectOutcome(vector, outcome)
          } else {
            expect(errorCode(outcome.error)).toBe('ERR_DECRYPT')
            expect(outcome.released.length).toBeLessThanOrEqual(vector.msgLength ?? 0)
            await expectStillFailing(whole)
          }
          // Authenticating the length: open only the final chunk (an empty range at the end).
          const end = (() => { try { return plaintextLength(ct.length) } catch { return 0 } })()
          const final = await drain(decryptRange(key, ctx, reader(ct), ct.length, { offset: end, length: 0 }, { aead }))
          expect(final.released.length).toBe(0)
          if (vector.result === 'valid' || vector.flags.includes('ValidFinalChunk')) {
            expect(final.error).toBeUndefined()
          } else {
            expect(errorCode(final.error)).toBe('ERR_DECRYPT')
          }
          if (vector.flags.includes('HeaderFailure')) expect(opened).not.toHaveBeenCalled()
        })

        if (vector.flags.includes('HeaderFailure')) continue

        it(`${label}: raw mode`, async () => {
          const body = ct.subarray(HEADER_SIZE)
          const cipher = await ChunkCipher.fromRaw(fromHex(vector.aeadKey ?? ''), fromHex(vector.baseNonce ?? ''), { aead })
          const streamed = await drain(openChunks(cipher, new ByteReader(source(cut(body, vector.tcId))), 4))
          await expectOutcome(vector, streamed)
          const total = (() => { try { return bodyPlaintextLength(body.length) } catch { return undefined } })()
          if (vector.result === 'valid') {
            expect(total).toBe(vector.msgLength)
            const ranged = await collect(openRange(cipher, reader(body), total ?? 0, chunkSpan(total ?? 0, {})!, { window: 3 }))
            expect(firstDifference(ranged, streamed.released)).toBe(-1)
            // Raw encryption is deterministic: it must reproduce the vector's chunks exactly.
            const resealed = await collect(sealChunks(cipher, new ByteReader(source(cut(streamed.released, 7))), 5))
            expect(firstDifference(resealed, body)).toBe(-1)
          } else if (total !== undefined) {
            const ranged = await drain(openRange(cipher, reader(body), total, chunkSpan(total, {})!, { window: 3 }))
            expect(errorCode(ranged.error)).toBe('ERR_DECRYPT')
          }
        })

        if (vector.result !== 'valid') continue

        it(`${label}: encryption with the vector's salt reproduces the ciphertext`, async () => {
          const message = await collect(decryptStream(key, ctx, source([ct]), { aead }))
          const salt = ct.subarray(0, SALT_SIZE)
          const again = await collect(encryptStream(key, ctx, source(cut(message, vector.tcId)), { aead, salt }))
          expect(firstDifference(again, ct)).toBe(-1)
        })
      }
    })
  }
})
}
