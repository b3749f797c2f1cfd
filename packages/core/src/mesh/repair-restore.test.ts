import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BlockId } from '../block/id.js'
import { UnavailableError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import type { RepairResult } from './api.js'
import { Auditor } from './audit.js'
import type { NodeContext } from './context.js'
import type { Fetcher } from './fetch.js'
import { Repairer } from './repair.js'
import { resolveTuning } from './tuning.js'
import { makeBlock } from '../../test/support/mesh.js'

afterEach(() => { vi.useRealTimers() })

/**
 * A host ('self') of three that all hold every block (the other two answer every probe
 * `have`), whose follow-up passes back off for an hour: only a pass it schedules itself
 * can recount soon. The first refetch waits for `release`; later ones fail (no peer has it).
 */
function setup (): { repairer: Repairer, store: MemoryBlockStore, passes: RepairResult[], release: (bytes: Uint8Array) => void, failures: string[], fetches: () => number } {
  const store = new MemoryBlockStore()
  const passes: RepairResult[] = []
  const failures: string[] = []
  const peer = { probe: async () => true }
  const hosts = ['self', 'a', 'b'].map(peerId => ({ peerId, weight: 1, full: false }))
  const ctx = {
    peerId: 'self',
    role: 'host',
    store,
    replicas: 3,
    tuning: resolveTuning({ repairDelay: 100, repairRetry: 3_600_000, auditChance: 0 }),
    peer: (id: string) => id === 'self' ? undefined : peer,
    peerList: () => [],
    storingHosts: () => hosts,
    dispatch: (type: string, detail: unknown) => { if (type === 'repair') passes.push(detail as RepairResult) },
    failed: (kind: string) => { failures.push(kind) },
    reportCorrupt: () => {}
  } as unknown as NodeContext
  let release!: (bytes: Uint8Array) => void
  const first = new Promise<Uint8Array>(resolve => { release = resolve })
  let calls = 0
  const fetcher = {
    fetch: async (cid: BlockId) => {
      calls++
      if (calls === 1) return await first
      throw new UnavailableError(`block ${cid.toString()}: no peer answered`)
    }
  } as unknown as Fetcher
  return { repairer: new Repairer(ctx, fetcher, () => false, new Auditor(ctx)), store, passes, release, failures, fetches: () => calls }
}

describe('repair after a restore', () => {
  it('counts again soon once a block reported corrupt is back, however far off the follow-up pass is', async () => {
    vi.useFakeTimers()
    const { repairer, store, passes, release, failures } = setup()
    const block = await makeBlock(2000, 1)
    await store.put(block.cid, block.bytes)
    // Reported corrupt: dropped, and its refetch waits.
    const restored = repairer.restore(block.cid)
    await vi.advanceTimersByTimeAsync(0)
    expect(await store.has(block.cid)).toBe(false)
    // A pass meanwhile cannot fetch it either: it counts it under R, and its follow-up is an hour away.
    expect(await repairer.run()).toEqual({ checked: 0, copied: 0, underReplicated: 1 })
    expect(repairer.underReplicated).toBe(1)
    expect(failures).toEqual(['restore'])
    // The first refetch lands: a pass runs within repairDelay, not an hour later.
    release(block.bytes)
    await restored
    expect(await store.has(block.cid)).toBe(true)
    expect(passes).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(100)
    await vi.waitFor(() => { expect(passes).toHaveLength(2) })
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
