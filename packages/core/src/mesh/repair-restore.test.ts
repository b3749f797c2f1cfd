import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BlockId } from '../block/id.js'
import { UnavailableError } from '../errors.js'
import { makeBlock } from '../../test/support/mesh.js'
import { fakeRepairHost, type FakeRepairHost } from '../../test/support/repairer.js'

afterEach(() => { vi.useRealTimers() })

/**
 * The fake host's follow-up passes back off for an hour: only a pass it schedules itself
 * can recount soon. The first refetch waits for `release`; later ones fail (no peer has it).
 */
function setup (): FakeRepairHost & { release: (bytes: Uint8Array) => void, fetches: () => number } {
  let release!: (bytes: Uint8Array) => void
  const first = new Promise<Uint8Array>(resolve => { release = resolve })
  let calls = 0
  const fetch = async (cid: BlockId): Promise<Uint8Array> => {
    calls++
    if (calls === 1) return await first
    throw new UnavailableError(`block ${cid.toString()}: no peer answered`)
  }
  return { ...fakeRepairHost({ fetch }), release, fetches: () => calls }
}

describe('repair after a restore', () => {
  it('counts again soon once a block reported corrupt is back, however far off the follow-up pass is', async () => {
    vi.useFakeTimers()
    const host = setup()
    const { repairer, store, passes, release, failures } = host
    const block = await makeBlock(2000, 1)
    await store.put(block.cid, block.bytes)
    // Reported corrupt: dropped, and its refetch waits.
    const restored = repairer.restore(block.cid)
    await vi.advanceTimersByTimeAsync(0)
    expect(await store.has(block.cid)).toBe(false)
    // A pass meanwhile leaves it to the restore (no second fetch): it counts it under R, and its
    // follow-up is an hour away.
    expect(await repairer.run()).toEqual({ checked: 0, copied: 0, underReplicated: 1 })
    expect(repairer.underReplicated).toBe(1)
    expect(host.fetches()).toBe(1)
    expect(failures).toEqual([])
    // The first refetch lands: a pass runs within repairDelay, not an hour later.
    release(block.bytes)
    await restored
    expect(await store.has(block.cid)).toBe(true)
    expect(passes).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(passes).toHaveLength(2)
    expect(passes[1]).toEqual({ checked: 1, copied: 0, underReplicated: 0 })
    expect(repairer.underReplicated).toBe(0)
    repairer.stop()
  })

  it('joins a second report of a block already being restored: one drop, one fetch', async () => {
    const { repairer, store, release, failures, fetches } = setup()
    const block = await makeBlock(2000, 2)
    await store.put(block.cid, block.bytes)
    const first = repairer.restore(block.cid)
    expect(repairer.restoreOf(block.cid)).toBeDefined()
    const second = repairer.restore(block.cid)
    release(block.bytes)
    await Promise.all([first, second])
    expect(await store.has(block.cid)).toBe(true)
    expect(fetches()).toBe(1)
    expect(failures).toEqual([])
    expect(repairer.restoreOf(block.cid)).toBeUndefined()
    repairer.stop()
  })
})
