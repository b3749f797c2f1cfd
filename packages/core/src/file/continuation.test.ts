import { describe, it, expect } from 'vitest'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { blockId, equalBytes, type BlockId } from '../block/id.js'
import { ChunkCipher } from '../crypto/index.js'
import { OutOfRangeError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { concat } from '../../test/support/crypto.js'
import { sealBlock } from './block-source.js'
import { BLOCK_PLAINTEXT, blockCount } from '../crypto/geometry.js'
import { CONTENT_CONTEXT } from './contexts.js'
import { formatLink } from '../address/link.js'
import { MAX_LIST_BLOCKS } from './manifest.js'
import { OpenManifest } from './manifest-reader.js'
import { ManifestWriter } from './manifest-writer.js'
import { openFile } from './read.js'

function fakeId (index: number): BlockId {
  const digest = new Uint8Array(32)
  new DataView(digest.buffer).setUint32(0, index)
  return CID.createV1(raw.code, createDigest(0x12, digest))
}

/**
 * A ~59 GiB file's manifest (60,000 content blocks: two full continuation
 * blocks and a partial one), with fake content ids except one real block.
 */
describe('manifests with continuation blocks', () => {
  const blocks = 2 * MAX_LIST_BLOCKS + 10_000
  const size = (blocks - 1) * BLOCK_PLAINTEXT
  const realIndex = MAX_LIST_BLOCKS + 5_000

  async function build (): Promise<{ store: MemoryBlockStore, key: Uint8Array, root: BlockId, plaintext: Uint8Array }> {
    expect(blockCount(size)).toBe(blocks)
    const store = new MemoryBlockStore()
    const key = crypto.getRandomValues(new Uint8Array(16))
    const { cipher, header } = await ChunkCipher.create(key, new TextEncoder().encode(CONTENT_CONTEXT))
    const plaintext = testBytes(BLOCK_PLAINTEXT, 99)
    const chunks = Array.from({ length: 64 }, (_, j) => plaintext.subarray(j * 16384, (j + 1) * 16384))
    const real = await sealBlock(cipher, realIndex, chunks)
    const realId = await blockId(real)
    await store.put(realId, real)
    const writer = new ManifestWriter(key, new Uint8Array(24), async block => await store.put(block.id, block.bytes))
    for (let i = 0; i < blocks; i++) await writer.add(i === realIndex ? realId : fakeId(i))
    expect(writer.continuations).toBe(2)
    const root = await writer.finish({ name: 'huge.img', type: 'application/octet-stream', size, mtime: 0 }, header)
    expect(writer.continuations).toBe(3)
    await store.put(root.id, root.bytes)
    return { store, key, root: root.id, plaintext }
  }

  it('finds every block id with at most one continuation block per lookup', async () => {
    const { store, key, root } = await build()
    const asked: string[] = []
    const get = async (id: BlockId): Promise<Uint8Array> => { asked.push(id.toString()); return await store.get(id) }
    const manifest = await OpenManifest.open(root, key, get)
    expect(manifest.blocks).toBe(blocks)
    expect(manifest.info.size).toBe(size)
    const probes = [0, 1, MAX_LIST_BLOCKS - 1, MAX_LIST_BLOCKS, 2 * MAX_LIST_BLOCKS - 1, 2 * MAX_LIST_BLOCKS, blocks - 1]
    for (const index of probes) {
      asked.length = 0
      const id = await manifest.blockId(index)
      expect(id.equals(fakeId(index))).toBe(true)
      expect(asked.length).toBeLessThanOrEqual(1)
    }
    await expect(manifest.blockId(blocks)).rejects.toBeInstanceOf(OutOfRangeError)
  })

  it('reads a range deep in the file from the root, one continuation and one content block', async () => {
    const { store, key, root, plaintext } = await build()
    const asked: string[] = []
    const get = async (id: BlockId): Promise<Uint8Array> => { asked.push(id.toString()); return await store.get(id) }
    const file = await openFile(formatLink(root, key), get)
    expect(file.size).toBe(size)
    const parts: Uint8Array[] = []
    for await (const part of file.read({ offset: realIndex * BLOCK_PLAINTEXT + 10, length: 70_000 })) parts.push(part)
    expect(equalBytes(concat(parts), plaintext.subarray(10, 70_010))).toBe(true)
    expect(asked).toHaveLength(3)
    expect(asked[0]).toBe(root.toString())
  })
})
