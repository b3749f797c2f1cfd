import { addFile, openFile } from '@cairn/core'
import { MemoryBlockStore } from '@cairn/core/testing'
import { describe, expect, it } from 'vitest'
import { countLocalBlocks } from './local-blocks.js'

const MiB = 1024 * 1024

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> { yield bytes }

describe('countLocalBlocks', () => {
  it('counts the content blocks of a file the store holds, and only those', async () => {
    const all = new MemoryBlockStore()
    const bytes = new Uint8Array(5 * MiB + 100).map((_, i) => i * 7)
    const added = await addFile(once(bytes), { name: 'f.bin' }, all)
    const file = await openFile(added.link, all)
    expect(file.blocks).toBe(6)
    // A tab that fetched blocks 0, 2 and 5 (and the root manifest, not content).
    const partial = new MemoryBlockStore()
    for (const i of [0, 2, 5]) {
      const id = await file.blockId(i)
      await partial.put(id, await all.get(id))
    }
    await partial.put(added.root, await all.get(added.root))
    expect(await countLocalBlocks(file, async id => await partial.has(id))).toEqual({ held: 3, total: 6 })
    expect(await countLocalBlocks(file, async id => await all.has(id))).toEqual({ held: 6, total: 6 })
    expect(await countLocalBlocks(file, async () => false)).toEqual({ held: 0, total: 6 })
  })

  it('stops when aborted', async () => {
    const all = new MemoryBlockStore()
    const added = await addFile(once(new Uint8Array(3 * MiB)), { name: 'g.bin' }, all)
    const file = await openFile(added.link, all)
    const controller = new AbortController()
    controller.abort()
    await expect(countLocalBlocks(file, async () => true, { signal: controller.signal })).rejects.toThrow()
  })
})
