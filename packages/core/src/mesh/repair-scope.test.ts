import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BlockId } from '../block/id.js'
import { makeBlock } from '../../test/support/mesh.js'
import { fakeRepairHost } from '../../test/support/repairer.js'
import { MAX_SCOPE_BLOCKS, RepairScope } from './repair-scope.js'

afterEach(() => { vi.useRealTimers() })

async function blocks (count: number, from: number): Promise<Array<{ cid: BlockId, bytes: Uint8Array }>> {
  return await Promise.all(Array.from({ length: count }, async (_, i) => await makeBlock(1000, from + i)))
}

describe('repair passes over the blocks concerned', () => {
  it('a pass due to new blocks assesses those and the ones left under R, not every held block, and counts as a full pass would', async () => {
    vi.useFakeTimers()
    let lacking: string | undefined
    const host = fakeRepairHost({ tuning: { repairDelay: 100, repairRetry: 200 }, holds: (peer, cid) => !(peer === 'a' && cid.toString() === lacking) })
    const { repairer, store, passes } = host
    const held = await blocks(20, 1)
    for (const b of held) await store.put(b.cid, b.bytes)
    lacking = held[3]!.cid.toString()
    // A full pass: all 20, one under R (peer a lacks it and takes no copy), each probed on both peers.
    expect(await repairer.run()).toEqual({ checked: 20, copied: 0, underReplicated: 1 })
    expect(host.probes()).toBe(40)

    // Two new blocks stored: the pass they bring looks at them and at the one under R, 3 blocks.
    const added = await blocks(2, 100)
    for (const b of added) {
      await store.put(b.cid, b.bytes)
      repairer.stored(b.cid)
    }
    // (Due sooner than the full pass's follow-up, 200 ms after it.)
    await vi.advanceTimersByTimeAsync(100)
    expect(passes).toHaveLength(2)
    expect(passes[1]).toEqual({ checked: 3, copied: 0, underReplicated: 1 })
    expect(host.probes()).toBe(46)

    // Peer a gets it: the follow-up (400 ms later: the backoff doubled) looks at it alone.
    lacking = undefined
    await vi.advanceTimersByTimeAsync(399)
    expect(passes).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(passes).toHaveLength(3)
    expect(passes[2]).toEqual({ checked: 1, copied: 0, underReplicated: 0 })
    expect(repairer.underReplicated).toBe(0)
    // Nothing is left to look at: no further pass runs, and a full one agrees with the count.
    await vi.advanceTimersByTimeAsync(10_000)
    expect(passes).toHaveLength(3)
    expect(await repairer.run()).toEqual({ checked: 22, copied: 0, underReplicated: 0 })
    repairer.stop()
  })

  it('a block left under R and since deleted leaves the count at the next pass that looks at it', async () => {
    vi.useFakeTimers()
    const host = fakeRepairHost({ tuning: { repairDelay: 100, repairRetry: 200 }, holds: peer => peer !== 'b' })
    const { repairer, store, passes } = host
    const [block] = await blocks(1, 1)
    await store.put(block!.cid, block!.bytes)
    expect(await repairer.run()).toEqual({ checked: 1, copied: 0, underReplicated: 1 })
    await store.delete(block!.cid)
    await vi.advanceTimersByTimeAsync(200)
    expect(passes).toHaveLength(2)
    expect(passes[1]).toEqual({ checked: 0, copied: 0, underReplicated: 0 })
    repairer.stop()
  })

  it('a pass over every held block asked for while a partial one waits makes that one full', async () => {
    vi.useFakeTimers()
    let answer!: () => void
    const probesWait = new Promise<void>(resolve => { answer = resolve })
    const host = fakeRepairHost({ tuning: { repairDelay: 100 }, probesWait })
    const { repairer, store, passes } = host
    const held = await blocks(5, 1)
    for (const b of held) await store.put(b.cid, b.bytes)
    // A full pass, held up by its probes.
    const first = repairer.run()
    // A new block's partial pass comes due meanwhile, and waits for it...
    const [fresh] = await blocks(1, 50)
    await store.put(fresh!.cid, fresh!.bytes)
    repairer.stored(fresh!.cid)
    await vi.advanceTimersByTimeAsync(100)
    expect(passes).toHaveLength(0)
    // ...and a full pass asked for meanwhile joins it: the waiting pass covers all six.
    const second = repairer.run()
    answer()
    expect(await first).toMatchObject({ checked: 5 })
    expect(await second).toMatchObject({ checked: 6 })
    expect(passes).toHaveLength(2)
    repairer.stop()
  })

  it('a pass that fails leaves its blocks to the next one', async () => {
    vi.useFakeTimers()
    const host = fakeRepairHost({ tuning: { repairDelay: 100, repairRetry: 200 } })
    const { repairer, store, passes, failures } = host
    const has = store.has.bind(store)
    let broken = true
    store.has = async (...args) => {
      if (broken) throw new Error('the disk went away')
      return await has(...args)
    }
    for (const b of await blocks(2, 1)) {
      await store.put(b.cid, b.bytes)
      repairer.stored(b.cid)
    }
    await vi.advanceTimersByTimeAsync(100)
    expect(failures).toEqual(['repair'])
    expect(passes).toHaveLength(0)
    broken = false
    await vi.advanceTimersByTimeAsync(200)
    expect(passes).toEqual([{ checked: 2, copied: 0, underReplicated: 0 }])
    repairer.stop()
  })
})

describe('RepairScope', () => {
  const ids = async (count: number): Promise<BlockId[]> => (await blocks(count, 1)).map(b => b.cid)

  it('names the blocks stored since the last pass began and those left under R; a full pass forgets the stored ones', async () => {
    const [a, b, c] = await ids(3)
    const scope = new RepairScope()
    scope.add(a!)
    expect(scope.begin(true)).toEqual([a])
    scope.settle([a!], new Map([[a!.toString(), a!]]), 1)
    scope.add(b!)
    expect(scope.begin(true)?.map(String).sort()).toEqual([a, b].map(String).sort())
    scope.settle([a!, b!], new Map(), 0)
    expect(scope.underCount).toBe(0)
    scope.add(c!)
    expect(scope.begin(false)).toBeUndefined()
    expect(scope.begin(true)).toEqual([])
  })

  it('past its cap keeps only the count, and the passes cover every held block until one has fewer to track', async () => {
    const [a] = await ids(1)
    const scope = new RepairScope()
    // More blocks under R than it tracks: a full pass's count stands, and partial passes become full.
    scope.settle('all', new Map([[a!.toString(), a!]]), MAX_SCOPE_BLOCKS + 5)
    expect(scope.underCount).toBe(MAX_SCOPE_BLOCKS + 5)
    expect(scope.begin(true)).toBeUndefined()
    scope.settle('all', new Map(), 0)
    expect(scope.begin(true)).toEqual([])
    // More new blocks than it tracks between passes: the next pass is full.
    for (let i = 0; i <= MAX_SCOPE_BLOCKS; i++) scope.add({ toString: () => `block ${i}` } as unknown as BlockId)
    expect(scope.begin(true)).toBeUndefined()
    expect(scope.begin(true)).toEqual([])
  })
})
