import { describe, it, expect, beforeAll } from 'vitest'
import { collect, expectSameBytes, pieces } from '../../test/support/file.js'
import fc from 'fast-check'
import { equalBytes, type BlockId } from '../block/id.js'
import { markVerified } from '../block/source.js'
import { DecryptionError, IntegrityError, ManifestError, NotFoundError, AbortError, OutOfRangeError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { addFile, type AddResult } from './add.js'
import { BLOCK_PLAINTEXT, blockCount, paddedBlockCount } from '../crypto/geometry.js'
import { SALT_SIZE } from '../crypto/index.js'
import { formatLink, parseLink } from '../address/link.js'
import { decodeRoot, encodeRoot } from './manifest.js'
import { loadManifestBlock } from './manifest-block.js'
import { ManifestWriter } from './manifest-writer.js'
import { openFile, readFile } from './read.js'

const MiB = BLOCK_PLAINTEXT

async function rejection (promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(() => undefined, (err: unknown) => err)
}

/** A getter that records which blocks were asked for. */
function recording (store: MemoryBlockStore): { get: (id: BlockId) => Promise<Uint8Array>, asked: string[] } {
  const asked: string[] = []
  return { asked, get: async id => { asked.push(id.toString()); return await store.get(id) } }
}

describe('add → read round trips', () => {
  const sizes = [0, 1, 16383, 16384, 16385, MiB - 1, MiB, MiB + 1, 3 * MiB + 12345]
  for (const size of sizes) {
    it(`round-trips ${size} bytes`, async () => {
      const store = new MemoryBlockStore()
      const bytes = testBytes(size, size)
      const added = await addFile(pieces(bytes, 65_537), { name: `f${size}.bin`, type: 'application/x-t', mtime: 1234 }, store)
      // Format 2: a file one byte short of whole blocks (MiB − 1) takes one more block, for its padding.
      expect(added.blocks).toBe(paddedBlockCount(size))
      const file = await openFile(added.link, async id => await store.get(id))
      expect({ name: file.name, type: file.type, size: file.size, mtime: file.mtime, blocks: file.blocks })
        .toEqual({ name: `f${size}.bin`, type: 'application/x-t', size, mtime: 1234, blocks: added.blocks })
      expectSameBytes(await collect(file.read()), bytes)
      expectSameBytes(await collect(readFile(parseLink(added.link), async id => await store.get(id), { readAhead: 0 })), bytes)
    })
  }
})

describe('range reads', () => {
  const size = 4 * MiB + 54321
  const bytes = testBytes(size, 7)
  const store = new MemoryBlockStore()
  let added: AddResult
  beforeAll(async () => { added = await addFile(pieces(bytes, 65_537), { name: 'r' }, store) })

  it('returns exactly the requested bytes and fetches only the blocks that hold them', async () => {
    const file = await openFile(added.link, async id => await store.get(id))
    const ids = (await loadIds(added, store))
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: size }), fc.integer({ min: 0, max: 3 * MiB }), fc.integer({ min: 0, max: 4 }),
      async (offset, length, readAhead) => {
        const { get, asked } = recording(store)
        const opened = await openFile(added.link, get)
        asked.length = 0
        const got = await collect(opened.read({ offset, length, readAhead }))
        const end = Math.min(size, offset + length)
        expectSameBytes(got, bytes.subarray(offset, end))
        const first = Math.floor(offset / MiB)
        const last = end === size ? ids.length - 1 : Math.floor((end - 1) / MiB)
        const wanted = end === offset && end < size ? [] : ids.slice(first, last + 1)
        expect(asked).toEqual(wanted)
      }), { numRuns: 40 })
    expect(file.size).toBe(size)
  })

  it('names each content block by index (in read order), and no block past the end', async () => {
    const file = await openFile(added.link, async id => await store.get(id))
    const ids = await loadIds(added, store)
    const named = await Promise.all(Array.from({ length: file.blocks }, async (_, i) => String(await file.blockId(i))))
    expect(named).toEqual(ids)
    expect(named.length).toBe(blockCount(size))
    await expect(file.blockId(file.blocks)).rejects.toBeInstanceOf(OutOfRangeError)
    await expect(file.blockId(-1)).rejects.toBeInstanceOf(OutOfRangeError)
  })

  it('handles boundary ranges', async () => {
    const file = await openFile(added.link, async id => await store.get(id))
    const cases: Array<[number, number]> = [
      [0, 0], [MiB - 1, 2], [MiB, MiB], [MiB - 16384, 16385], [16383, 1], [size - 1, 10], [size, 0], [size, 5], [0, size + 1],
      [2 * MiB - 1, MiB + 2]
    ]
    for (const [offset, length] of cases) {
      expectSameBytes(await collect(file.read({ offset, length })), bytes.subarray(offset, Math.min(size, offset + length)))
    }
    await expect(collect(file.read({ offset: size + 1 }))).rejects.toBeInstanceOf(OutOfRangeError)
    await expect(collect(file.read({ offset: -1 }))).rejects.toBeInstanceOf(OutOfRangeError)
    await expect(collect(file.read({ length: 1.5 }))).rejects.toBeInstanceOf(OutOfRangeError)
  })
})

async function loadIds (added: AddResult, store: MemoryBlockStore): Promise<string[]> {
  const root = decodeRoot(await loadManifestBlock(added.root, added.key, async id => await store.get(id)))
  return (root.blocks ?? []).map(String)
}

describe('read failures', () => {
  const bytes = testBytes(3 * MiB + 1000, 3)
  const store = new MemoryBlockStore()
  let added: AddResult
  beforeAll(async () => { added = await addFile(pieces(bytes, 65_537), { name: 'f' }, store) })

  it('fails with DecryptionError under the wrong key', async () => {
    const key = added.key.slice()
    key[0] = (key[0] ?? 0) ^ 1
    const error = await rejection(openFile(formatLink(added.root, key), async id => await store.get(id)))
    expect(error).toBeInstanceOf(DecryptionError)
  })

  it('fails with IntegrityError on a tampered content or manifest block', async () => {
    const ids = await loadIds(added, store)
    for (const target of [ids[1], added.root.toString()]) {
      const get = async (id: BlockId): Promise<Uint8Array> => {
        const block = await store.get(id)
        if (id.toString() === target) block[100] = (block[100] ?? 0) ^ 0x40
        return block
      }
      expect(await rejection(collect(readFile(added.link, get)))).toBeInstanceOf(IntegrityError)
    }
  })

  it('leaves the hash to a source core marked verified (the mesh\'s), and tampering still fails (as DecryptionError)', async () => {
    const ids = await loadIds(added, store)
    const get = async (id: BlockId): Promise<Uint8Array> => {
      const block = await store.get(id)
      if (id.toString() === ids[1]) block[100] = (block[100] ?? 0) ^ 0x40
      return block
    }
    expect(await rejection(collect(readFile(added.link, markVerified({ get }))))).toBeInstanceOf(DecryptionError)
    expect(await rejection(collect(readFile(added.link, get)))).toBeInstanceOf(IntegrityError)
    expect(await rejection(collect(readFile(added.link, { get })))).toBeInstanceOf(IntegrityError)
  })

  it('fails when a block is missing, and releases no plaintext past it', async () => {
    const ids = await loadIds(added, store)
    const get = async (id: BlockId): Promise<Uint8Array> => {
      if (id.toString() === ids[2]) return await new MemoryBlockStore().get(id)
      return await store.get(id)
    }
    let received = 0
    const error = await rejection((async () => { for await (const part of readFile(added.link, get)) received += part.length })())
    expect(error).toBeInstanceOf(NotFoundError)
    expect(received).toBeLessThanOrEqual(2 * MiB)
  })

  it('fails with IntegrityError when a manifest lies about the size', async () => {
    const root = decodeRoot(await loadManifestBlock(added.root, added.key, async id => await store.get(id)))
    for (const size of [root.size - 1, root.size + 1]) {
      const writer = new ManifestWriter(added.key, root.header.subarray(0, SALT_SIZE), async () => {})
      for (const id of root.blocks ?? []) await writer.add(id)
      const lie = await writer.finish({ ...root, size }, root.header)
      await store.put(lie.id, lie.bytes)
      const link = formatLink(lie.id, added.key)
      expect(await rejection(collect(readFile(link, async id => await store.get(id))))).toBeInstanceOf(IntegrityError)
    }
    // A block count that disagrees with the size is refused before anything is fetched.
    const writer = new ManifestWriter(added.key, root.header.subarray(0, SALT_SIZE), async () => {})
    for (const id of root.blocks ?? []) await writer.add(id)
    await expect(writer.finish({ ...root, size: root.size + MiB }, root.header)).rejects.toBeInstanceOf(ManifestError)
    expect(() => decodeRoot(encodeRoot({ ...root, size: root.size + MiB }))).toThrow(ManifestError)
  })

  it('stops fetching when aborted or when the reader stops early', async () => {
    const controller = new AbortController()
    const signals: AbortSignal[] = []
    const get = async (id: BlockId, options?: { signal?: AbortSignal }): Promise<Uint8Array> => {
      if (options?.signal !== undefined) signals.push(options.signal)
      return await store.get(id)
    }
    const reading = readFile(added.link, get, { signal: controller.signal })
    expect((await reading.next()).done).toBe(false)
    controller.abort(new Error('stop'))
    const error = await rejection(reading.next())
    expect(error).toBeInstanceOf(AbortError)
    expect(signals.length).toBeGreaterThan(0)
    expect(signals.every(signal => signal.aborted)).toBe(true)

    signals.length = 0
    // Reads yield one part per block (one opened buffer per block), not one per 16 KiB chunk.
    for await (const part of readFile(added.link, get)) { expect(part.length).toBe(MiB); break }
    expect(signals.length).toBeGreaterThan(1)
    expect(signals.every(signal => signal.aborted)).toBe(true)
  })
})

describe('bounded read-ahead', () => {
  it('never has more than readAhead + 1 blocks requested but not consumed, however many are opened ahead (64 MiB)', async () => {
    const store = new MemoryBlockStore()
    async function * generated (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 64; i++) yield testBytes(MiB, i + 1)
    }
    const added = await addFile(generated(), { name: 'big' }, store)
    for (const [readAhead, openAhead, adaptive] of [[0], [3], [8], [8, 0], [8, 8], [3, 20], [8, 8, true], [16, 2, true]] as Array<[number, number?, boolean?]>) {
      let requested = 0
      let consumed = 0
      let worst = 0
      const contentIds = new Set(await loadIds(added, store))
      const get = async (id: BlockId): Promise<Uint8Array> => {
        if (contentIds.has(id.toString())) {
          requested++
          worst = Math.max(worst, requested - consumed)
        }
        return await store.get(id)
      }
      let received = 0
      let expected: { block: number, bytes: Uint8Array } = { block: -1, bytes: new Uint8Array(0) }
      for await (const part of readFile(added.link, get, { readAhead, adaptive, ...(openAhead === undefined ? {} : { openAhead }) })) {
        const block = Math.floor(received / MiB)
        const at = received - block * MiB
        if (expected.block !== block) expected = { block, bytes: testBytes(MiB, block + 1) }
        expect(equalBytes(part, expected.bytes.subarray(at, at + part.length))).toBe(true)
        received += part.length
        consumed = Math.floor(received / MiB)
      }
      expect(received).toBe(64 * MiB)
      expect(requested).toBe(added.blocks)
      // Blocks from memory take no time at all: an adaptive read may keep fewer requested.
      if (adaptive === true) expect(worst).toBeLessThanOrEqual(readAhead + 1)
      else expect(worst).toBe(readAhead + 1)
    }
  })

  /** A 24-block file, and a source that counts the content blocks it is asked for and has not yet answered. */
  async function delayedSource (serve: (answer: () => void) => void): Promise<{ link: string, get: (id: BlockId) => Promise<Uint8Array>, most: () => number, mostLate: () => number }> {
    const store = new MemoryBlockStore()
    const added = await addFile(pieces(testBytes(24 * BLOCK_PLAINTEXT, 4), 1 << 20), { name: 'd' }, store)
    const contentIds = new Set(await loadIds(added, store))
    let open = 0
    let answered = 0
    let most = 0
    let mostLate = 0
    const get = async (id: BlockId): Promise<Uint8Array> => {
      if (!contentIds.has(id.toString())) return await store.get(id)
      most = Math.max(most, ++open)
      if (answered >= 12) mostLate = Math.max(mostLate, open)
      await new Promise<void>(resolve => { serve(resolve) })
      open--
      answered++
      return await store.get(id)
    }
    return { link: added.link, get, most: () => most, mostLate: () => mostLate }
  }

  it('an adaptive read deepens to readAhead when every block takes a long round trip, all in parallel (a distant host)', async () => {
    const source = await delayedSource(answer => { setTimeout(answer, 100) })
    let received = 0
    for await (const part of readFile(source.link, source.get, { readAhead: 8, openAhead: 8, adaptive: true })) received += part.length
    expect(received).toBe(24 * BLOCK_PLAINTEXT)
    expect(source.most()).toBeGreaterThan(5) // deeper than it starts (4 ahead + the one being read)
    expect(source.most()).toBeLessThanOrEqual(9)
  })

  it('an adaptive read stays shallow when blocks only queue at the source (served one at a time)', async () => {
    const queue: Array<() => void> = []
    let serving = false
    const next = (): void => {
      const answer = queue.shift()
      if (answer === undefined) { serving = false; return }
      serving = true
      setTimeout(() => { answer(); next() }, 40) // far slower than opening a block, even on a loaded machine: the source is the queue
    }
    const source = await delayedSource(answer => { queue.push(answer); if (!serving) next() })
    let received = 0
    for await (const part of readFile(source.link, source.get, { readAhead: 16, openAhead: 16, adaptive: true })) received += part.length
    expect(received).toBe(24 * BLOCK_PLAINTEXT)
    // Once it has seen the queue (from the 13th block on), at most 4 ahead + the one being read.
    expect(source.mostLate()).toBeLessThanOrEqual(5)
    expect(source.mostLate()).toBeGreaterThan(0)
  })
})
