/**
 * Format 1 (before size padding) stays readable. The fixture holds every
 * block of three small files exactly as the format-1 add path sealed them
 * (commit c4acba6, before format 2 landed): never regenerate it.
 */
import { describe, expect, it } from 'vitest'
import fixture from './fixtures/manifest-v1.json' with { type: 'json' }
import { parseBlockId } from '../src/block/id.js'
import { HEADER_SIZE, blockLength } from '../src/crypto/geometry.js'
import { parseLink } from '../src/address/link.js'
import { decodeRoot } from '../src/file/manifest.js'
import { loadManifestBlock } from '../src/file/manifest-block.js'
import { openFile } from '../src/file/read.js'
import { MemoryBlockStore } from '../src/store/memory.js'
import { testBytes } from '../src/testing/bytes.js'
import { collect, expectSameBytes } from './support/file.js'

function base64 (text: string): Uint8Array {
  return Uint8Array.from(atob(text), c => c.charCodeAt(0))
}

async function storeOf (blocks: Array<{ id: string, bytes: string }>): Promise<MemoryBlockStore> {
  const store = new MemoryBlockStore()
  for (const block of blocks) await store.put(parseBlockId(block.id), base64(block.bytes))
  return store
}

describe('format 1 files (unpadded) still read', () => {
  for (const file of fixture.files) {
    it(`reads ${file.name} (${file.size} bytes) whole and in ranges`, async () => {
      const store = await storeOf(file.blocks)
      const { root, key } = parseLink(file.link)
      const manifest = decodeRoot(await loadManifestBlock(root, key, store))
      expect(manifest.version).toBe(1)
      // Format 1 leaves the sizes exact: the content block is the size's own length.
      expect(base64(file.blocks[0]?.bytes ?? '').length).toBe(blockLength(file.size, 0))
      expect(base64(file.blocks[1]?.bytes ?? '').length).toBeLessThan(HEADER_SIZE + 4095)
      const opened = await openFile(file.link, store)
      expect({ name: opened.name, type: opened.type, size: opened.size, mtime: opened.mtime, blocks: opened.blocks })
        .toEqual({ name: file.name, type: file.type, size: file.size, mtime: file.mtime, blocks: 1 })
      const bytes = testBytes(file.size, file.seed)
      expectSameBytes(await collect(opened.read()), bytes)
      const ranges = [[0, 1], [Math.min(16_000, file.size), 1000], [Math.max(0, file.size - 5), 100], [file.size, 0]] as const
      for (const [offset, length] of ranges) {
        expectSameBytes(await collect(opened.read({ offset, length })), bytes.subarray(offset, offset + length))
      }
      // A resumed get checks kept bytes against the block ids (no padding in format 1).
      expect(await opened.matchesBlock(0, bytes)).toBe(true)
      if (bytes.length > 0) expect(await opened.matchesBlock(0, bytes.map((b, i) => i === 0 ? b ^ 1 : b))).toBe(false)
    })
  }

  it('a format 1 block changed by a host fails its hash check', async () => {
    const file = fixture.files[0]
    if (file === undefined) throw new Error('fixture has no files')
    const blocks = file.blocks.map(block => ({ ...block }))
    const content = base64(blocks[0]?.bytes ?? '')
    content[100] = (content[100] ?? 0) ^ 1
    const store = await storeOf(blocks.slice(1))
    await store.put(parseBlockId(blocks[0]?.id ?? ''), content)
    await expect(collect((await openFile(file.link, store)).read())).rejects.toMatchObject({ code: 'ERR_INTEGRITY' })
  })
})
