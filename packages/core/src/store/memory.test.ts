import { describe, expect, it } from 'vitest'
import { blockStoreSuite } from '../testing/vitest.js'
import { blockId } from '../block/id.js'
import { MemoryBlockStore } from './memory.js'

blockStoreSuite('MemoryBlockStore', async () => new MemoryBlockStore())

describe('MemoryBlockStore quota', () => {
  it('throws StorageFullError past maxStorage and keeps what fits', async () => {
    const store = new MemoryBlockStore({ maxStorage: 100 })
    const a = new Uint8Array(60).fill(1)
    const b = new Uint8Array(60).fill(2)
    await store.put(await blockId(a), a)
    await expect(store.put(await blockId(b), b)).rejects.toMatchObject({ code: 'ERR_STORAGE_FULL' })
    await store.put(await blockId(a), a)
    expect(await store.stats()).toEqual({ blocks: 1, bytes: 60, capacity: 100 })
    await store.delete(await blockId(a))
    await store.put(await blockId(b), b)
    expect(await store.stats()).toEqual({ blocks: 1, bytes: 60, capacity: 100 })
  })

  it('accepts ids in their canonical string form and rejects path-like strings', async () => {
    const store = new MemoryBlockStore()
    const bytes = new Uint8Array([1, 2, 3])
    const id = await blockId(bytes)
    await store.put(id, bytes)
    expect(await store.has(id.toString() as never)).toBe(true)
    for (const bad of ['../x', '%2e%2e', id.toString().toUpperCase(), id.toString().slice(1)]) {
      await expect(store.get(bad as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ID' })
    }
  })
})
