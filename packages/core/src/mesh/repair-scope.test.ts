import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BlockId } from '../block/id.js'
import { makeBlock } from '../../test/support/mesh.js'
import { fakeRepairHost } from '../../test/support/repairer.js'

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
    await vi.advanceTimersByTimeAsync(100)
    await vi.waitFor(() => { expect(passes).toHaveLength(2) })
    expect(passes[1]).toEqual({ checked: 3, copied: 0, underReplicated: 1 })
    expect(host.probes()).toBe(46)

    // Peer a gets it: the follow-up (200 ms after the last pass left it under) looks at it alone.
    lacking = undefined
    await vi.advanceTimersByTimeAsync(200)
    await vi.waitFor(() => { expect(passes).toHaveLength(3) })
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
    await vi.waitFor(() => { expect(passes).toHaveLength(2) })
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
})
