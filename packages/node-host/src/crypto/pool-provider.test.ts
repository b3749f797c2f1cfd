import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { ChunkCipher, CHUNK_SIZE, CHUNKS_PER_BLOCK, cryptoProvider, setCryptoProvider } from '@cairn/core/crypto'
import { nodeCryptoProvider } from './node-provider.js'
import { createCryptoPool, installCliCrypto } from './pool-provider.js'
import { BUILT_WORKER, testCryptoPool } from './pool-test-support.js'

const pool = testCryptoPool({ threads: 2 })
afterAll(async () => { await pool.close() })

/** A full block of plaintext, different for each seed. */
function block (seed: number): Uint8Array {
  const out = new Uint8Array(CHUNKS_PER_BLOCK * CHUNK_SIZE)
  for (let i = 0; i < out.length; i += 4096) out[i] = (seed * 31 + i / 4096) & 0xff
  out[0] = seed
  return out
}

function chunks (plaintext: Uint8Array): Uint8Array[] {
  return Array.from({ length: plaintext.length / CHUNK_SIZE }, (_, j) => plaintext.subarray(j * CHUNK_SIZE, (j + 1) * CHUNK_SIZE))
}

describe('crypto pool', () => {
  it('seals, opens and hashes many blocks under many keys at once, each like the calling thread does', async () => {
    // Ten keys: more than a worker keeps imported, so keys are evicted and imported again.
    const ciphers = await Promise.all(Array.from({ length: 10 }, async (_, k) => ({
      pooled: await ChunkCipher.fromRaw(new Uint8Array(16).fill(k + 1), new Uint8Array(12).fill(k), { provider: pool }),
      inline: await ChunkCipher.fromRaw(new Uint8Array(16).fill(k + 1), new Uint8Array(12).fill(k), { provider: nodeCryptoProvider })
    })))
    const results = await Promise.all(Array.from({ length: 40 }, async (_, n) => {
      const { pooled, inline } = ciphers[n % ciphers.length]!
      const plaintext = block(n)
      const sealed = new Uint8Array(CHUNKS_PER_BLOCK * (CHUNK_SIZE + 16))
      const expected = new Uint8Array(sealed.length)
      await pooled.sealInto(n * CHUNKS_PER_BLOCK, chunks(plaintext), sealed)
      await inline.sealInto(n * CHUNKS_PER_BLOCK, chunks(plaintext), expected)
      const opened = await pooled.openRun(n * CHUNKS_PER_BLOCK, sealed)
      const digest = await pool.sha256(sealed)
      return Buffer.from(sealed).equals(Buffer.from(expected)) &&
        Buffer.from(opened).equals(Buffer.from(plaintext)) &&
        Buffer.from(digest).equals(Buffer.from(await nodeCryptoProvider.sha256(expected)))
    }))
    expect(results.filter(ok => !ok)).toEqual([])
  })

  it('fails a call with ERR_INTERNAL when its worker fails, not silently', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-pool-'))
    const broken = createCryptoPool({ threads: 1, filename: pathToFileURL(join(dir, 'broken.mjs')) })
    try {
      await writeFile(join(dir, 'broken.mjs'), 'export default function () { throw new Error("worker broke") }\n')
      await expect(broken.sha256(new Uint8Array(1 << 20))).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
    } finally {
      await broken.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('does not keep a process alive once its calls are done', async () => {
    const script = `
      import { createCryptoPool } from ${JSON.stringify(new URL('./pool-provider.js', BUILT_WORKER).href)}
      const pool = createCryptoPool({ threads: 2 })
      const digest = await pool.sha256(new Uint8Array(1 << 20))
      process.stdout.write(Buffer.from(digest).toString('hex'))
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    try {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (text: string) => { out += text })
      const [code, signal] = await once(child, 'exit') as [number | null, string | null]
      expect({ code, signal }).toEqual({ code: 0, signal: null })
      expect(out).toBe(Buffer.from(await nodeCryptoProvider.sha256(new Uint8Array(1 << 20))).toString('hex'))
    } finally {
      clearTimeout(timer)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  })
})

describe('$CAIRN_CRYPTO_THREADS', () => {
  it('picks the calling thread (unset, empty, 0) or a pool of N workers, and refuses anything else', () => {
    const before = cryptoProvider()
    try {
      for (const value of [undefined, '', '0']) {
        installCliCrypto(value)
        expect(cryptoProvider()).toBe(nodeCryptoProvider)
      }
      installCliCrypto('3')
      expect(cryptoProvider().name).toBe('node-pool')
      for (const value of ['two', '1.5', '-1', '65', ' 2']) {
        expect(() => { installCliCrypto(value) }).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }))
      }
    } finally {
      setCryptoProvider(before)
    }
  })
})
