import { afterAll, describe, expect, it } from 'vitest'
import { blockId, type Aead } from '@cairn/core'
import { ChunkCipher, CHUNK_SIZE, CHUNKS_PER_BLOCK, TAG_SIZE, webCryptoProvider, type CryptoProvider } from '@cairn/core/crypto'
import { describeVectors } from '../../../core/test/crypto/vectors-suite.js'
import { nodeCryptoProvider } from './node-provider.js'
import { testCryptoPool } from './pool-test-support.js'

// node:crypto on the calling thread, and spread over a worker pool (every call
// sent to a worker, however small): each passes every Wycheproof vector as
// core's provider and matches Web Crypto byte for byte.
const pool = testCryptoPool({ minBytes: 0 })
afterAll(async () => { await pool.close() })
describeVectors(nodeCryptoProvider)
describeVectors(pool)

/** Deterministic bytes (no Math.random: failures must reproduce). */
function bytes (length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed
  for (let i = 0; i < length; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24 }
  return out
}

/** The chunks of `plaintext` (the last short, possibly empty, as Cobblestone cuts them). */
function chunksOf (plaintext: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let at = 0; ; at += CHUNK_SIZE) {
    chunks.push(plaintext.subarray(at, Math.min(plaintext.length, at + CHUNK_SIZE)))
    if (plaintext.length - at < CHUNK_SIZE) return chunks
  }
}

async function sealBlockWith (
  provider: CryptoProvider, key: Uint8Array, salt: Uint8Array, plaintext: Uint8Array, firstIndex: number, aead: Aead = 'AES-128-GCM'
): Promise<{ header: Uint8Array, sealed: Uint8Array }> {
  const { cipher, header } = await ChunkCipher.create(key, new TextEncoder().encode('ctx'), { salt, provider, aead })
  const chunks = chunksOf(plaintext)
  const sealed = new Uint8Array(plaintext.length + chunks.length * TAG_SIZE)
  await cipher.sealInto(firstIndex, chunks, sealed)
  return { header, sealed }
}

for (const provider of [nodeCryptoProvider, pool]) describe(`${provider.name} provider`, () => {
  const sizes = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE + 1, 5 * CHUNK_SIZE + 77, (CHUNKS_PER_BLOCK - 1) * CHUNK_SIZE + 100, CHUNKS_PER_BLOCK * CHUNK_SIZE]
  for (const aead of ['AES-128-GCM', 'AES-256-GCM'] as const) {
    it(`seals byte-identical blocks with the same ids as Web Crypto (${aead}), and each opens the other's`, async () => {
      const key = bytes(aead === 'AES-128-GCM' ? 16 : 32, 7)
      const salt = bytes(24, 9)
      for (const [n, size] of sizes.entries()) {
        const plaintext = bytes(size, 100 + n)
        const firstIndex = n * CHUNKS_PER_BLOCK + (n === 2 ? 255 : 0) // a nonce counter past one byte, too
        const web = await sealBlockWith(webCryptoProvider, key, salt, plaintext, firstIndex, aead)
        const node = await sealBlockWith(provider, key, salt, plaintext, firstIndex, aead)
        expect(node.header).toEqual(web.header)
        expect(Buffer.from(node.sealed).equals(Buffer.from(web.sealed))).toBe(true)
        expect((await blockId(node.sealed, provider)).toString()).toBe((await blockId(web.sealed, webCryptoProvider)).toString())
        const context = new TextEncoder().encode('ctx')
        for (const [sealer, opener] of [[webCryptoProvider, provider], [provider, webCryptoProvider]] as const) {
          const cipher = await ChunkCipher.open(key, context, web.header, { provider: opener, aead })
          const opened = await cipher.openRun(firstIndex, (sealer === webCryptoProvider ? web : node).sealed)
          expect(Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true)
        }
      }
    })
  }

  it('rejects a tampered chunk anywhere in a block with DecryptionError, like Web Crypto', async () => {
    const key = bytes(16, 1)
    const plaintext = bytes(3 * CHUNK_SIZE + 5, 2)
    const { header, sealed } = await sealBlockWith(provider, key, bytes(24, 3), plaintext, 0)
    for (const at of [0, CHUNK_SIZE + 3, sealed.length - 1]) {
      const tampered = sealed.slice()
      tampered[at] = (tampered[at] as number) ^ 1
      for (const opener of [provider, webCryptoProvider]) {
        const cipher = await ChunkCipher.open(key, new TextEncoder().encode('ctx'), header, { provider: opener })
        await expect(cipher.openRun(0, tampered)).rejects.toMatchObject({ code: 'ERR_DECRYPT' })
      }
    }
  })

  it('hashes like Web Crypto', async () => {
    for (const size of [0, 1, 16_400, 1_049_600]) {
      const data = bytes(size, size)
      expect(Buffer.from(await provider.sha256(data)).toString('hex'))
        .toBe(Buffer.from(await webCryptoProvider.sha256(data)).toString('hex'))
    }
  })
})
