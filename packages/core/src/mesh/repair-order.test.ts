import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { MemoryBlockStore } from '../store/memory.js'
import type { AbortOptions } from '../store/block-store.js'
import { rankPeers } from './placement.js'
import { fullMesh, makeBlock, TestMesh } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

/** Records the order blocks are put into it. */
class OrderStore extends MemoryBlockStore {
  readonly order: string[] = []
  override async put (id: BlockId, bytes: Uint8Array, options?: AbortOptions): Promise<void> {
    this.order.push(id.toString())
    await super.put(id, bytes, options)
  }
}

/** Blocks whose top-ranked host is `first`, put with R=3 on three hosts. */
async function blocksLedBy (list: TestNode[], count: number, size: number): Promise<Array<{ cid: BlockId, bytes: Uint8Array }>> {
  const ids = list.map(h => h.node.peerId)
  const found = []
  for (let seed = 1; found.length < count; seed++) {
    const block = await makeBlock(size, seed)
    if (rankPeers(block.cid, ids)[0] !== ids[0]) continue
    expect(await list[0]!.node.putBlock(block.cid, block.bytes, { replicas: 3 })).toEqual({ copies: 3 })
    found.push(block)
  }
  return found
}

describe('repair order and rate', () => {
  it('repairs the blocks with the fewest live copies first', async () => {
    mesh = new TestMesh()
    const manual = { repairDelay: 3_600_000, repairConcurrency: 1 }
    const b = new OrderStore()
    const list = [await mesh.host(manual), await mesh.host({ ...manual, store: b }), await mesh.host(manual)]
    await fullMesh(list)
    const blocks = await blocksLedBy(list, 6, 1000)
    // The first three (first in the store's order) lose one copy; the last three lose two.
    for (const { cid } of blocks) await b.delete(cid)
    for (const { cid } of blocks.slice(3)) await list[2]!.store!.delete(cid)
    b.order.length = 0
    expect(await list[0]!.node.repair()).toMatchObject({ checked: 6, copied: 9, underReplicated: 0 })
    const lastOfFewest = Math.max(...blocks.slice(3).map(({ cid }) => b.order.indexOf(cid.toString())))
    const firstOfOthers = Math.min(...blocks.slice(0, 3).map(({ cid }) => b.order.indexOf(cid.toString())))
    expect(b.order.length).toBe(6)
    expect(lastOfFewest).toBeLessThan(firstOfOthers)
  })

  it('sends repair copies at no more than --repair-rate', async () => {
    mesh = new TestMesh()
    // 40 kB/s: 12 copies of 5 kB (60 kB) need about 1.5 s less the 250 ms burst.
    const manual = { repairDelay: 3_600_000, repairRate: 40_000 }
    const list = [await mesh.host(manual), await mesh.host(manual), await mesh.host(manual)]
    await fullMesh(list)
    const blocks = await blocksLedBy(list, 12, 5000)
    for (const { cid } of blocks) await list[1]!.store!.delete(cid)
    const started = performance.now()
    expect(await list[0]!.node.repair()).toMatchObject({ copied: 12, underReplicated: 0 })
    expect(performance.now() - started).toBeGreaterThan(1_000)
  })
})
