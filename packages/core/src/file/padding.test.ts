/**
 * Issue 10 item 9: a storing host sees only ciphertext block sizes. Before
 * format 2 the last content block and the manifest block gave a file's exact
 * size (and its name's length) away; now both are padded inside the
 * encryption to a power-of-two size class, and only the class shows.
 */
import { describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { CHUNK_SIZE, HEADER_SIZE, MAX_BLOCK_SIZE, TAG_SIZE } from '../crypto/geometry.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { collect, expectSameBytes, pieces } from '../../test/support/file.js'
import { addFile } from './add.js'
import type { PutOptions } from './put-queue.js'
import { openFile } from './read.js'
import { encode } from 'cborg'
import fc from 'fast-check'
import { blockId } from '../block/id.js'
import { markVerified } from '../block/source.js'
import { blockCount, paddedBlockCount, paddedLength } from '../crypto/geometry.js'
import { formatLink, parseLink } from '../address/link.js'
import { DecryptionError, IntegrityError, ManifestError, UnsupportedVersionError } from '../errors.js'
import { decodeContinuation, decodeRoot, encodeContinuation, MANIFEST_VERSION } from './manifest.js'
import { loadManifestBlock, sealManifestBlock } from './manifest-block.js'
import { ManifestWriter } from './manifest-writer.js'

async function rejection (promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(() => undefined, (err: unknown) => err)
}

const MiB = 1024 * 1024

interface Stored { content: number[], manifest: number[], store: MemoryBlockStore, link: string }

/** Add `size` bytes and record the byte length of every block a host would be handed. */
async function stored (size: number, name = 'file.bin'): Promise<Stored> {
  const store = new MemoryBlockStore()
  const content: number[] = []
  const manifest: number[] = []
  const sink = {
    put: async (id: BlockId, bytes: Uint8Array, options?: PutOptions) => {
      ;(options?.plaintext === undefined ? manifest : content).push(bytes.length)
      await store.put(id, bytes)
    }
  }
  const added = await addFile(pieces(testBytes(size, size + 1), 65_536), { name, type: 'application/octet-stream', mtime: 1 }, sink)
  return { content, manifest, store, link: added.link }
}

/** Sealed length of a one-block message of `plaintext` bytes (its final chunk short). */
function sealed (plaintext: number): number {
  return plaintext + TAG_SIZE * (Math.floor(plaintext / CHUNK_SIZE) + 1)
}

/** A last content block's stored size per class: 4 KiB … 1 MiB of plaintext, one byte short so the final chunk stays short. */
const CLASSES = Array.from({ length: 9 }, (_, k) => sealed(2 ** (12 + k) - 1))
/** A manifest block's (a whole message, header included): 4 KiB … 512 KiB, then a whole block. */
const MANIFEST_CLASSES = [...Array.from({ length: 8 }, (_, k) => HEADER_SIZE + sealed(2 ** (12 + k) - 1)), MAX_BLOCK_SIZE]

describe('stored sizes reveal only a size class (format 2)', () => {
  it('files of 1, 1000, 100 000 and 1 048 577 bytes store blocks of class sizes only', async () => {
    for (const size of [1, 1000, 100_000, MiB + 1]) {
      const { content, manifest } = await stored(size)
      const full = content.slice(0, -1)
      const last = content.at(-1) as number
      expect(full.every(n => n === MAX_BLOCK_SIZE)).toBe(true)
      expect(CLASSES).toContain(last)
      for (const n of manifest) expect(MANIFEST_CLASSES).toContain(n)
    }
  })

  it('sizes within one class are indistinguishable by stored block sizes', async () => {
    const groups = [[0, 1, 1000, 4094], [65_535, 100_000, 131_070], [MiB, MiB + 1000, MiB + 4094], [3 * MiB + 600_000, 3 * MiB + 1_000_000]]
    for (const group of groups) {
      const seen = await Promise.all(group.map(async size => await stored(size)))
      for (const other of seen.slice(1)) {
        expect(other.content).toEqual(seen[0]?.content)
        expect(other.manifest).toEqual(seen[0]?.manifest)
      }
    }
  })

  it('the smallest file stores a 4 KiB class block; a file of 1 MiB + 1 byte one full block and a 4 KiB class block', async () => {
    expect((await stored(1)).content).toEqual([sealed(4095)])
    expect((await stored(MiB + 1)).content).toEqual([MAX_BLOCK_SIZE, sealed(4095)])
    expect((await stored(100_000)).content).toEqual([sealed(128 * 1024 - 1)])
  })

  it('the manifest block does not reveal the name length', async () => {
    const short = await stored(5000, 'a')
    const long = await stored(5000, 'x'.repeat(255))
    expect(long.manifest).toEqual(short.manifest)
    expect(short.manifest).toEqual([HEADER_SIZE + sealed(4095)])
  })

  it('reads return the exact bytes, never the padding: whole files and ranges at the end', async () => {
    for (const size of [0, 1, 1000, 4095, 16_383, 16_384, 100_000, MiB - 2, MiB - 1, MiB, MiB + 1]) {
      const { store, link } = await stored(size)
      const bytes = testBytes(size, size + 1)
      const file = await openFile(link, store)
      expect(file.size).toBe(size)
      expectSameBytes(await collect(file.read()), bytes)
      const offset = Math.max(0, size - 3000)
      expectSameBytes(await collect(file.read({ offset, length: 10_000 })), bytes.subarray(offset))
      expectSameBytes(await collect(file.read({ offset: size, length: 5 })), new Uint8Array(0))
    }
  })
})

describe('the padding is authenticated and checked', () => {
  it('a file one byte short of whole blocks spills its padding into a block of the smallest class', async () => {
    const { content, store, link } = await stored(MiB - 1)
    expect(content).toEqual([MAX_BLOCK_SIZE, sealed(4095)])
    expect(paddedBlockCount(MiB - 1)).toBe(2)
    expectSameBytes(await collect((await openFile(link, store)).read()), testBytes(MiB - 1, MiB))
  })

  it('only a file one byte short of whole blocks takes a block more than format 1', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), size => {
      expect(paddedBlockCount(size)).toBe(blockCount(size) + (size % MiB === MiB - 1 ? 1 : 0))
      const padded = paddedLength(size)
      expect(padded).toBeGreaterThan(size)
      expect(CLASSES).toContain(sealed(padded % MiB))
    }))
  })

  it('a host that changes padding bytes is caught by AES-GCM even when it fakes the block hash check', async () => {
    const { store, link } = await stored(1000)
    const file = await openFile(link, store)
    const lastId = await file.blockId(file.blocks - 1)
    const lastBlock = await store.get(lastId)
    for (const at of [1000 + 1, lastBlock.length - TAG_SIZE - 1, lastBlock.length - 1]) {
      const tampered = lastBlock.slice()
      tampered[at] = (tampered[at] ?? 0) ^ 1
      const source = markVerified({ get: async (id: BlockId) => id.equals(lastId) ? tampered : await store.get(id) })
      expect(await rejection(collect((await openFile(link, source)).read()))).toBeInstanceOf(DecryptionError)
    }
  })

  it('a manifest whose size disagrees with the padding fails at the end of the read, not before', async () => {
    const size = 100_000
    const { store, link } = await stored(size)
    const { root, key } = parseLink(link)
    const manifest = decodeRoot(await loadManifestBlock(root, key, store))
    for (const lie of [size - 1, size + 1, size + 10]) {
      const writer = new ManifestWriter(key, manifest.header.subarray(0, 24), async () => {})
      for (const id of manifest.blocks ?? []) await writer.add(id)
      const forged = await writer.finish({ ...manifest, size: lie }, manifest.header)
      await store.put(forged.id, forged.bytes)
      const file = await openFile(formatLink(forged.id, key), store)
      // Short of the end, the bytes are the file's: nothing checks the padding yet.
      expectSameBytes(await collect(file.read({ offset: 0, length: 90_000 })), testBytes(size, size + 1).subarray(0, 90_000))
      const error = await rejection(collect(file.read()))
      expect(error).toBeInstanceOf(IntegrityError)
      expect((error as IntegrityError).code).toBe('ERR_INTEGRITY')
    }
  })
})

describe('format versions', () => {
  it('writes format 2, and a manifest of a newer version is refused with ERR_UNSUPPORTED_VERSION', async () => {
    const { store, link } = await stored(10)
    const { root, key } = parseLink(link)
    const plaintext = await loadManifestBlock(root, key, store)
    expect(decodeRoot(plaintext).version).toBe(MANIFEST_VERSION)
    expect(MANIFEST_VERSION).toBe(2)
    const newer = encode({ v: 3, anything: 'a future field' })
    const sealedNewer = await sealManifestBlock(key, newer)
    const id = await blockId(sealedNewer)
    await store.put(id, sealedNewer)
    const error = await rejection(openFile(formatLink(id, key), store))
    expect(error).toBeInstanceOf(UnsupportedVersionError)
    expect(error).toBeInstanceOf(ManifestError)
    expect((error as UnsupportedVersionError).code).toBe('ERR_UNSUPPORTED_VERSION')
    expect((error as Error).message).toMatch(/format version 3 is not supported.*update Cairn/)
  })

  it('format 2 manifests must carry exactly their padding, all zeros', () => {
    const cbor = encode({ v: 2, blocks: [] })
    expect(() => decodeContinuation(cbor, 0, 2)).toThrow(/zero bytes/)
    const padded = encodeContinuation([])
    expect(padded.length).toBe(4095)
    expect(() => decodeContinuation(padded, 1, 2)).toThrow(ManifestError)
    const dirty = padded.slice()
    dirty[4000] = 1
    expect(() => decodeContinuation(dirty, 0, 2)).toThrow(/zero bytes/)
    expect(() => decodeContinuation(padded.subarray(0, 4094), 0, 2)).toThrow(/zero bytes/)
    expect(() => decodeContinuation(padded, 0, 1)).toThrow(/continuation in format 2, root in 1/)
  })
})
