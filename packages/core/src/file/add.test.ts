import { describe, it, expect } from 'vitest'
import { collect, expectSameBytes, pieces } from '../../test/support/file.js'
import { parseBlockId, type BlockId } from '../block/id.js'
import { AbortError, ManifestError, StorageFullError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { waitForStall } from '../testing/stall.js'
import { addFile } from './add.js'
import { blockCount, BLOCK_PLAINTEXT } from '../crypto/geometry.js'
import { parseLink } from '../address/link.js'
import { manifestSalt } from './manifest-block.js'
import { readFile } from './read.js'
import type { BlockSink } from './put-queue.js'

interface HeldPut { id: BlockId, resolve: () => void, reject: (error: unknown) => void }

/** A sink whose puts stay pending until the test releases them. */
class HeldSink implements BlockSink {
  readonly held: HeldPut[] = []
  readonly order: string[] = []
  readonly store = new MemoryBlockStore()
  calls = 0
  maxPending = 0
  async put (id: BlockId, bytes: Uint8Array): Promise<void> {
    this.calls++
    this.order.push(id.toString())
    await new Promise<void>((resolve, reject) => {
      this.held.push({ id, resolve, reject })
      this.maxPending = Math.max(this.maxPending, this.held.length)
    })
    await this.store.put(id, bytes)
  }

  release (): number {
    const released = this.held.splice(0)
    for (const put of released) put.resolve()
    return released.length
  }
}

describe('addFile', () => {
  it('stores content then manifest blocks, and reports size, blocks and link', async () => {
    const store = new MemoryBlockStore()
    const bytes = testBytes(2 * BLOCK_PLAINTEXT + 77)
    const progress: number[] = []
    const result = await addFile(pieces(bytes, 100_003), { name: 'a.bin', type: 'application/x-test', mtime: 42 }, store,
      { onProgress: n => progress.push(n) })
    expect(result.size).toBe(bytes.length)
    expect(result.blocks).toBe(blockCount(bytes.length))
    expect(result.manifestBlocks).toBe(0)
    expect(result.key).toHaveLength(16)
    expect(result.replicas).toBeUndefined()
    expect(parseLink(result.link).root.equals(result.root)).toBe(true)
    expect((await store.stats()).blocks).toBe(result.blocks + 1)
    expect(progress.at(-1)).toBe(bytes.length)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expectSameBytes(await collect(readFile(result.link, async id => await store.get(id))), bytes)
  })

  it('uses a fresh key for every file, even for identical content', async () => {
    const store = new MemoryBlockStore()
    const bytes = testBytes(1000)
    const a = await addFile(pieces(bytes, 100_003), { name: 'x' }, store)
    const b = await addFile(pieces(bytes, 100_003), { name: 'x' }, store)
    expect(a.key).not.toEqual(b.key)
    expect(a.root.equals(b.root)).toBe(false)
  })

  it('keeps at most `concurrency` puts in flight and stores the root last', async () => {
    const sink = new HeldSink()
    const bytes = testBytes(12 * BLOCK_PLAINTEXT + 5)
    let settled = false
    const adding = addFile(pieces(bytes, 1 << 20), { name: 'n' }, sink, { concurrency: 3 })
    void adding.finally(() => { settled = true }).catch(() => {})
    const contentBlocks = blockCount(bytes.length)
    while (!settled) {
      // Give the adder every chance to overrun the bound before releasing anything.
      await waitForStall(() => sink.calls, { quietPolls: 10 })
      if (sink.held.length >= 3 || sink.calls >= contentBlocks) sink.release()
    }
    const result = await adding
    expect(sink.maxPending).toBe(3)
    expect(sink.order).toHaveLength(result.blocks + 1)
    expect(sink.order.at(-1)).toBe(result.root.toString())
    expectSameBytes(await collect(readFile(result.link, async id => await sink.store.get(id))), bytes)
  })

  it('reports the lowest copy count the sink reached', async () => {
    let n = 0
    const sink: BlockSink = { put: async () => ({ copies: [3, 2, 3, 3][n++ % 4] as number }) }
    const result = await addFile(pieces(testBytes(3 * BLOCK_PLAINTEXT), 100_003), { name: 'r' }, sink)
    expect(result.replicas).toBe(2)
  })

  it('fails as a whole when a put fails', async () => {
    const store = new MemoryBlockStore({ maxStorage: 2 * BLOCK_PLAINTEXT })
    const bytes = testBytes(5 * BLOCK_PLAINTEXT)
    await expect(addFile(pieces(bytes, 100_003), { name: 'big' }, store)).rejects.toBeInstanceOf(StorageFullError)
  })

  it('stops promptly on abort, even with puts that never finish', async () => {
    const sink = new HeldSink()
    const controller = new AbortController()
    const adding = addFile(pieces(testBytes(6 * BLOCK_PLAINTEXT), 100_003), { name: 'n' }, sink, { concurrency: 2, signal: controller.signal })
    // Sealing and hashing run on Web Crypto's threads: wait for the first puts, then for nothing more to move.
    while (sink.calls < 2) await new Promise(resolve => setTimeout(resolve, 0))
    await waitForStall(() => sink.calls)
    expect(sink.held.length).toBe(2)
    controller.abort(new Error('user cancelled'))
    const error = await adding.catch((err: unknown) => err)
    expect(error).toBeInstanceOf(AbortError)
    expect((error as AbortError).cause).toEqual(new Error('user cancelled'))
  })

  it('stops reading a source that stalls when aborted', async () => {
    const controller = new AbortController()
    let returned = false
    const stalled: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => await new Promise<IteratorResult<Uint8Array>>(() => {}),
        return: async () => { returned = true; return { done: true, value: undefined } }
      })
    }
    const adding = addFile(stalled, { name: 'n' }, new MemoryBlockStore(), { signal: controller.signal })
    controller.abort()
    await expect(adding).rejects.toBeInstanceOf(AbortError)
    expect(returned).toBe(true)
  })

  it('rejects bad metadata before reading anything', async () => {
    let pulled = false
    async function * source (): AsyncGenerator<Uint8Array> { pulled = true; yield new Uint8Array(1) }
    for (const meta of [{ name: '' }, { name: 'a/b' }, { name: 'ok', type: 'bad\ntype' }, { name: 'ok', mtime: 1.5 }]) {
      await expect(addFile(source(), meta, new MemoryBlockStore())).rejects.toBeInstanceOf(ManifestError)
    }
    expect(pulled).toBe(false)
  })
})

describe('addFile resume (same key and salt)', () => {
  const KEY = new Uint8Array(16).fill(3)
  const SALT = new Uint8Array(24).fill(5)

  it('seals the very same blocks and root again, reporting each content block\'s plaintext', async () => {
    const data = testBytes(2 * BLOCK_PLAINTEXT + 999)
    const first = new MemoryBlockStore()
    const a = await addFile(pieces(data, 70_000), { name: 'f.bin', mtime: 1 }, first, { resume: { key: KEY, salt: SALT } })
    const puts: Array<{ id: string, plaintext: number | undefined }> = []
    const sink: BlockSink = { put: async (id, _bytes, options) => { puts.push({ id: id.toString(), plaintext: options?.plaintext }) } }
    const b = await addFile(pieces(data, 12_345), { name: 'f.bin', mtime: 1 }, sink, { resume: { key: KEY, salt: SALT } })
    expect(b.link).toBe(a.link)
    expect(b.key).toEqual(KEY)
    for (const { id } of puts) expect(await first.has(parseBlockId(id))).toBe(true)
    expect(puts.map(p => p.plaintext)).toEqual([BLOCK_PLAINTEXT, BLOCK_PLAINTEXT, 999, undefined])
    expectSameBytes(await collect(readFile(a.link, first)), data)
    // Another salt: other blocks, another root.
    const c = await addFile(pieces(data, 70_000), { name: 'f.bin', mtime: 1 }, new MemoryBlockStore(), { resume: { key: KEY, salt: new Uint8Array(24) } })
    expect(c.root.toString()).not.toBe(a.root.toString())
  })

  it('derives a distinct salt for every manifest block from the content salt', async () => {
    const salts = await Promise.all([0, 1, 2].map(async i => hex(await manifestSalt(KEY, SALT, i))))
    expect(new Set(salts).size).toBe(3)
    expect(salts.every(s => s.length === 48)).toBe(true)
    expect(hex(await manifestSalt(KEY, SALT, 1))).toBe(salts[1])
    expect(salts).not.toContain(hex(SALT))
    // Without resume, a fresh key and salt: the same file added twice gets two links.
    const store = new MemoryBlockStore()
    const a = await addFile(pieces(testBytes(10), 10), { name: 'tiny', mtime: 1 }, store)
    const b = await addFile(pieces(testBytes(10), 10), { name: 'tiny', mtime: 1 }, store)
    expect(b.link).not.toBe(a.link)
  })
})

function hex (bytes: Uint8Array): string {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}
