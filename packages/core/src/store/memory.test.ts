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

  it('with { immutable: true } keeps and hands out the caller\'s bytes instead of copies', async () => {
    const store = new MemoryBlockStore()
    const whole = new Uint8Array([1, 2, 3, 4])
    const id = await blockId(whole)
    await store.put(id, whole, { immutable: true })
    expect(await store.get(id, { immutable: true })).toBe(whole)
    const copy = await store.get(id)
    expect(copy).not.toBe(whole)
    expect(copy).toEqual(whole)
  })

  it('copies a view of a larger buffer even with { immutable: true }, so it pins nothing else', async () => {
    const store = new MemoryBlockStore()
    const backing = new Uint8Array([9, 1, 2, 3, 9])
    const view = backing.subarray(1, 4)
    const id = await blockId(view)
    await store.put(id, view, { immutable: true })
    const held = await store.get(id, { immutable: true })
    expect(held).not.toBe(view)
    expect(held.buffer.byteLength).toBe(3)
    expect(await store.stats()).toEqual({ blocks: 1, bytes: 3 })
  })
})
