import { describe, expect, it } from 'vitest'
import { BLOCK_PLAINTEXT, CHUNK_SIZE } from '../crypto/geometry.js'
import { OutOfRangeError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { addFile } from './add.js'
import { openFile, type OpenedFile } from './read.js'

async function opened (size: number, seed: number): Promise<{ file: OpenedFile, bytes: Uint8Array }> {
  const store = new MemoryBlockStore()
  const bytes = testBytes(size, seed)
  const added = await addFile((async function * () { yield bytes })(), { name: 'f.bin' }, store)
  return { file: await openFile(added.link, store), bytes }
}

const blockBytes = (bytes: Uint8Array, index: number): Uint8Array =>
  bytes.subarray(Math.min(bytes.length, index * BLOCK_PLAINTEXT), Math.min(bytes.length, (index + 1) * BLOCK_PLAINTEXT))

describe('matchesBlock: kept plaintext checked against the block ids', () => {
  // Sizes: empty; one chunk; a whole number of chunks (empty final chunk); a whole block; one byte
  // short of two blocks (the padding spills into a third block with no file bytes); a short last block.
  it.each([0, 1000, 3 * CHUNK_SIZE, BLOCK_PLAINTEXT, 2 * BLOCK_PLAINTEXT - 1, 2 * BLOCK_PLAINTEXT + 12_345])('%i bytes: every block its own bytes match, nothing else does', async (size) => {
    const { file, bytes } = await opened(size, 7)
    const results: boolean[] = []
    for (let i = 0; i < file.blocks; i++) results.push(await file.matchesBlock(i, blockBytes(bytes, i)))
    expect(results).toEqual(results.map(() => true))
    for (let i = 0; i < file.blocks; i++) {
      const own = blockBytes(bytes, i)
      if (own.length > 0) {
        const flipped = own.slice()
        flipped[own.length - 1] = (flipped[own.length - 1] as number) ^ 0x80
        expect(await file.matchesBlock(i, flipped)).toBe(false)
        expect(await file.matchesBlock(i, own.subarray(0, own.length - 1))).toBe(false) // torn
      }
      expect(await file.matchesBlock(i, new Uint8Array(own.length + 1))).toBe(false)
    }
    if (file.blocks > 1) expect(await file.matchesBlock(1, blockBytes(bytes, 0))).toBe(false) // another block's bytes
  })

  it('refuses an index outside the file', async () => {
    const { file } = await opened(5000, 1)
    for (const index of [-1, file.blocks, 0.5]) await expect(file.matchesBlock(index, new Uint8Array(0))).rejects.toThrow(OutOfRangeError)
  })
})
