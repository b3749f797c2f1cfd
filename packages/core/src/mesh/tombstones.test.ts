import { describe, expect, it } from 'vitest'
import { MemoryTombstoneStore, type TombstoneStore } from './tombstone-store.js'
import { TOMBSTONE_RETENTION, Tombstones } from './tombstones.js'

const secret = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const tag = (n: number): Uint8Array => new Uint8Array(32).fill(100 + n)

describe('Tombstones persistence', () => {
  it('saves verified tombstones only and a new instance loads them', async () => {
    const store = new MemoryTombstoneStore()
    const now = 1_000
    const first = new Tombstones(store, () => now)
    first.add(secret(1), tag(1), true)
    first.add(secret(2), tag(2), false)
    await first.save()
    expect(store.saved.map(t => t.secret[0])).toEqual([1])

    const second = new Tombstones(store, () => now)
    await second.load()
    expect(second.size).toBe(1)
    expect(second.verified()).toEqual([secret(1)])
    expect(second.matches(tag(1))).toBe(true)
    expect(second.matches(tag(2))).toBe(false)
  })

  it('forgets a verified tombstone TOMBSTONE_RETENTION after it last matched a block, and saves that', async () => {
    const store = new MemoryTombstoneStore()
    let now = 0
    const t = new Tombstones(store, () => now)
    t.add(secret(1), tag(1), true)
    t.add(secret(2), tag(2), true)
    now = TOMBSTONE_RETENTION
    let pass = t.passStarted()
    t.matches(tag(2)) // still matching a block here: its clock restarts
    t.passEnded(pass)
    expect(t.size).toBe(2)
    now = TOMBSTONE_RETENTION + 1
    pass = t.passStarted()
    t.passEnded(pass)
    expect(t.verified()).toEqual([secret(2)])
    await t.save()
    expect(store.saved.map(s => s.secret[0])).toEqual([2])

    // An expired one in the file is not loaded.
    now = 3 * TOMBSTONE_RETENTION
    const later = new Tombstones(store, () => now)
    await later.load()
    expect(later.size).toBe(0)
  })

  it('a failed save is retried by the next one', async () => {
    const store = new MemoryTombstoneStore()
    const failing: TombstoneStore = { load: async () => await store.load(), save: async () => { throw new Error('disk gone') } }
    const t = new Tombstones(failing)
    t.add(secret(1), tag(1), true)
    await expect(t.save()).rejects.toThrow('disk gone')
    failing.save = async (list) => { await store.save(list) }
    await t.save()
    expect(store.saved).toHaveLength(1)
  })
})
