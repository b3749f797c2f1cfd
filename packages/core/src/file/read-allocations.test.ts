import { afterEach, describe, expect, it, vi } from 'vitest'
import { BLOCK_PLAINTEXT, CHUNK_SIZE, CHUNKS_PER_BLOCK, SEALED_CHUNK_SIZE } from '../crypto/geometry.js'
import { setCryptoProvider, webCryptoProvider, type BlockAead, type CryptoProvider } from '../crypto/provider.js'
import { concatBytes } from '../bytes.js'
import { equalBytes } from '../crypto/derive.js'
import { OutOfRangeError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { addFile } from './add.js'
import { readFile } from './read.js'
import { expectSameBytes, pieces } from '../../test/support/file.js'

interface Call { chunks: number, out: Uint8Array }

/** Web Crypto, with every block-level AEAD call recorded. */
function recordingProvider (): { provider: CryptoProvider, seals: Call[], opens: Call[] } {
  const seals: Call[] = []
  const opens: Call[] = []
  const provider: CryptoProvider = {
    name: 'recording',
    sha256: webCryptoProvider.sha256,
    async importAeadKey (raw): Promise<BlockAead> {
      const inner = await webCryptoProvider.importAeadKey(raw)
      return {
        async sealChunks (nonces, chunks, out, offset) {
          seals.push({ chunks: chunks.length, out })
          await inner.sealChunks(nonces, chunks, out, offset)
        },
        async openChunks (nonces, sealed, out) {
          opens.push({ chunks: Math.ceil(sealed.length / SEALED_CHUNK_SIZE), out })
          await inner.openChunks(nonces, sealed, out)
        }
      }
    }
  }
  return { provider, seals, opens }
}

afterEach(() => { setCryptoProvider(webCryptoProvider) })

describe('the pipelines call the provider a block at a time', () => {
  it('add seals each content block in one call into the block buffer; read opens each into one buffer it yields whole', async () => {
    const { provider, seals, opens } = recordingProvider()
    setCryptoProvider(provider)
    const store = new MemoryBlockStore()
    const bytes = testBytes(3 * BLOCK_PLAINTEXT + 5000, 11)
    const added = await addFile(pieces(bytes, 100_000), { name: 'a.bin' }, store)
    expect(added.blocks).toBe(4)
    // Content: one call per block, 64 chunks each but the last (5000 bytes: one short chunk).
    const content = seals.filter(call => call.chunks > 1 || call.out.length > SEALED_CHUNK_SIZE)
    expect(content.map(call => call.chunks)).toEqual([CHUNKS_PER_BLOCK, CHUNKS_PER_BLOCK, CHUNKS_PER_BLOCK])

    const parts: Uint8Array[] = []
    for await (const part of readFile(added.link, store)) parts.push(part)
    expectSameBytes(concatBytes(parts), bytes)
    const blockOpens = opens.filter(call => call.out.length >= CHUNK_SIZE || call.chunks > 1)
    expect(blockOpens.map(call => call.chunks)).toEqual([CHUNKS_PER_BLOCK, CHUNKS_PER_BLOCK, CHUNKS_PER_BLOCK])
    // One plaintext buffer per block (not one per chunk), and that very buffer is what the reader gets.
    // Blocks are opened ahead, so the opens may start in another order than the parts come out:
    // matched by identity, not position (and compared as booleans: a failed toBe on two 1 MiB
    // buffers made vitest's diff run for over 20 minutes in CI).
    expect(parts.length).toBe(4)
    for (const call of blockOpens) expect(call.out.length).toBe(BLOCK_PLAINTEXT)
    const opened = new Set<ArrayBufferLike>(blockOpens.map(call => call.out.buffer))
    expect(opened.size).toBe(3)
    expect(parts.slice(0, 3).map(part => opened.has(part.buffer))).toEqual([true, true, true])
    expect(new Set(parts.map(part => part.buffer)).size).toBe(4)
  })

  it('with recycle, read opens blocks into a few reused buffers (not one per block), each part intact when it is yielded', async () => {
    const { provider, opens } = recordingProvider()
    setCryptoProvider(provider)
    const store = new MemoryBlockStore()
    const bytes = testBytes(12 * BLOCK_PLAINTEXT + 777, 5)
    const added = await addFile(pieces(bytes, 300_000), { name: 'r.bin' }, store)
    const copies: Uint8Array[] = []
    const seen = new Set<ArrayBufferLike>()
    for await (const part of readFile(added.link, store, { recycle: true })) {
      seen.add(part.buffer)
      copies.push(part.slice()) // a recycled part is valid until the next is asked for: keep a copy
    }
    expectSameBytes(concatBytes(copies), bytes)
    const blockOpens = opens.filter(call => call.chunks > 1)
    expect(blockOpens.length).toBe(12)
    // Two blocks decrypting ahead + the one being consumed + the one just handed back: at most 4 buffers for 13 blocks.
    expect(seen.size).toBeLessThanOrEqual(4)
    expect(new Set(blockOpens.map(call => call.out.buffer)).size).toBeLessThanOrEqual(4)
  })

  it.each([[2, 0], [6, 0], [6, 3]])('with openAhead n, blocks are opened as they arrive: n after the one being read, into a pool of n + held + 2 buffers (openAhead %i, held %i)', async (openAhead, held) => {
    const { provider, opens } = recordingProvider()
    setCryptoProvider(provider)
    const store = new MemoryBlockStore()
    const bytes = testBytes(12 * BLOCK_PLAINTEXT + 4321, 9)
    const added = await addFile(pieces(bytes, 1 << 20), { name: 'o.bin' }, store)
    const opened = (): number => opens.filter(call => call.chunks > 1).length
    const copies: Uint8Array[] = []
    const seen = new Set<ArrayBufferLike>()
    let openedAtFirst: number | undefined
    for await (const part of readFile(added.link, store, { recycle: true, held, readAhead: 8, openAhead })) {
      seen.add(part.buffer)
      copies.push(part.slice())
      if (openedAtFirst === undefined) {
        // Every block arrives at once from memory: the read opens all it may, then no more.
        await vi.waitFor(() => { expect(opened()).toBeGreaterThanOrEqual(1 + openAhead) })
        for (let turn = 0; turn < 5; turn++) await new Promise(resolve => setTimeout(resolve, 0))
        openedAtFirst = opened()
      }
    }
    expectSameBytes(concatBytes(copies), bytes)
    expect(openedAtFirst).toBe(1 + openAhead)
    expect(opened()).toBe(12) // the 13th block is one chunk
    expect(seen.size).toBeLessThanOrEqual(openAhead + held + 2)
    expect(new Set(opens.filter(call => call.chunks > 1).map(call => call.out.buffer)).size).toBeLessThanOrEqual(openAhead + held + 2)
  })

  it('openAhead must be a whole number of blocks', async () => {
    const store = new MemoryBlockStore()
    const added = await addFile(pieces(testBytes(1000, 1), 1000), { name: 'x' }, store)
    for (const openAhead of [-1, 1.5, Number.NaN]) {
      await expect((async () => { for await (const part of readFile(added.link, store, { openAhead })) expect(part).toBeDefined() })()).rejects.toBeInstanceOf(OutOfRangeError)
    }
  })

  // Sizes: a short last block; a whole number of blocks; one byte short of it (the padding spills into a block the reader never sees).
  it.each([10 * BLOCK_PLAINTEXT + 999, 12 * BLOCK_PLAINTEXT, 12 * BLOCK_PLAINTEXT - 1])('with recycle and held: n, a part stays intact until n + 1 later parts are asked for (writes of it may still be in flight): %i bytes', async (size) => {
    const store = new MemoryBlockStore()
    const bytes = testBytes(size, 8)
    const added = await addFile(pieces(bytes, 1 << 20), { name: 'h.bin' }, store)
    const held = 3
    const kept: Array<{ part: Uint8Array, at: number }> = []
    const seen = new Set<ArrayBufferLike>()
    let at = 0
    const intactHeld = (): boolean[] => kept.slice(-(held + 1)).map(k => equalBytes(k.part, bytes.subarray(k.at, k.at + k.part.length)))
    for await (const part of readFile(added.link, store, { recycle: true, held })) {
      seen.add(part.buffer)
      kept.push({ part, at })
      at += part.length
      // Yield to the event loop, so blocks ahead are opened (into reused buffers) meanwhile.
      await new Promise(resolve => setTimeout(resolve, 0))
      // Everything still held (this part and the `held` before it) has its bytes, unchanged
      // while later blocks were fetched and opened into the pool's other buffers.
      expect(intactHeld()).toEqual(Array(Math.min(kept.length, held + 1)).fill(true))
    }
    expect(intactHeld()).toEqual(Array(Math.min(kept.length, held + 1)).fill(true)) // also after the padding was read
    expect(at).toBe(bytes.length)
    // Still a bounded pool: the held parts, the one being consumed, the ones opening ahead.
    expect(seen.size).toBeLessThanOrEqual(held + 4)
    expect(seen.size).toBeLessThan(kept.length)
  })

  it('held must be a whole number of parts', async () => {
    const store = new MemoryBlockStore()
    const added = await addFile(pieces(testBytes(1000, 1), 1000), { name: 'x.bin' }, store)
    for (const held of [-1, 1.5, Number.NaN]) {
      await expect((async () => { for await (const _ of readFile(added.link, store, { recycle: true, held })) { /* nothing */ } })()).rejects.toThrow(OutOfRangeError)
    }
  })

  it('with recycle, a range read starting mid-file gets the same bytes', async () => {
    const store = new MemoryBlockStore()
    const bytes = testBytes(5 * BLOCK_PLAINTEXT + 3, 6)
    const added = await addFile(pieces(bytes, 1 << 20), { name: 'q.bin' }, store)
    const copies: Uint8Array[] = []
    for await (const part of readFile(added.link, store, { recycle: true, offset: BLOCK_PLAINTEXT + 100, length: 3 * BLOCK_PLAINTEXT })) copies.push(part.slice())
    expectSameBytes(concatBytes(copies), bytes.subarray(BLOCK_PLAINTEXT + 100, 4 * BLOCK_PLAINTEXT + 100))
  })
})
