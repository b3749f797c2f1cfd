/**
 * Garbage collection: expired and surplus blocks reclaimed and counted;
 * never the last copy a host knows of; never a put in flight or a block
 * stored within the grace period.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { MemoryBlockStore } from '../store/memory.js'
import type { StorePutOptions } from '../store/block-store.js'
import { rankPeers } from './placement.js'
import { fullMesh, makeBlock, nextEvent, TestMesh } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

const NOW = { gcGrace: 0 }

/** A block `host` ranks last for among `hosts`, so it is never one of its R = 1 targets. */
async function blockRankedLast (hosts: TestNode[], last: TestNode, seed = 1): Promise<{ cid: BlockId, bytes: Uint8Array }> {
  const ids = hosts.map(h => h.node.peerId)
  for (let s = seed; ; s++) {
    const block = await makeBlock(1000, s)
    if (rankPeers(block.cid, ids).at(-1) === last.node.peerId) return block
  }
}

describe('garbage collection', () => {
  it('reclaims expired blocks, counts reclaimedBytes in status and reports the pass', async () => {
    mesh = new TestMesh()
    const host = await mesh.host(NOW)
    const [gone, kept] = [await makeBlock(700, 1), await makeBlock(900, 2)]
    await host.store!.put(gone.cid, gone.bytes, { record: { replicas: 1, expires: Date.now() - 1 } })
    await host.store!.put(kept.cid, kept.bytes, { record: { replicas: 1, expires: Date.now() + 60_000 } })
    const reported = nextEvent(host.node, 'gc')
    expect(await host.node.gc()).toEqual({ checked: 2, expired: 1, deleted: 0, surplus: 0, reclaimedBytes: 700 })
    expect(await reported).toMatchObject({ expired: 1, reclaimedBytes: 700 })
    expect(await host.store!.has(gone.cid)).toBe(false)
    expect(await host.store!.has(kept.cid)).toBe(true)
    expect(await host.node.status()).toMatchObject({ blocks: 1, reclaimedBytes: 700 })
  })

  it('reclaims a surplus copy once the block\'s R targets confirm they hold it, and never the last copy it knows of', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(NOW), await mesh.host(NOW), await mesh.host(NOW)]
    await fullMesh(hosts)
    const spare = hosts[2]!
    const block = await blockRankedLast(hosts, spare)
    // Only the spare holds it (its R = 1 target lost it): the last copy, kept.
    await spare.store!.put(block.cid, block.bytes, { record: { replicas: 1 } })
    expect(await spare.node.gc()).toMatchObject({ checked: 1, surplus: 0 })
    expect(await spare.store!.has(block.cid)).toBe(true)
    // Repair puts it back on its target; now the spare's copy is surplus.
    await Promise.all(hosts.map(async h => await h.node.repair()))
    const [target] = rankPeers(block.cid, hosts.map(h => h.node.peerId))
    expect(await hosts.find(h => h.node.peerId === target)!.store!.has(block.cid)).toBe(true)
    expect(await spare.node.gc()).toMatchObject({ surplus: 1, reclaimedBytes: 1000 })
    expect(await spare.store!.has(block.cid)).toBe(false)
  })

  it('keeps every copy when the hosts that should hold the block are gone', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(NOW), await mesh.host(NOW), await mesh.host(NOW)]
    await fullMesh(hosts)
    const spare = hosts[2]!
    const block = await blockRankedLast(hosts, spare, 100)
    for (const h of hosts) await h.store!.put(block.cid, block.bytes, { record: { replicas: 1 } })
    // Kill both others: the spare's copy is the only one left.
    await hosts[0]!.node.stop()
    await hosts[1]!.node.stop()
    expect(await spare.node.gc()).toMatchObject({ checked: 1, surplus: 0 })
    expect(await spare.store!.has(block.cid)).toBe(true)
  })

  it('leaves alone a block stored within the grace period (a host\'s cached copy); without grace the same copy is surplus', async () => {
    mesh = new TestMesh()
    // Cached copies carry no record: they count with the hosts' R = 1.
    const [a, fresh, old] = [await mesh.host({ ...NOW, replicas: 1 }), await mesh.host({ gcGrace: 3_600_000, replicas: 1 }), await mesh.host({ ...NOW, replicas: 1 })]
    await fullMesh([a, fresh, old])
    const ids = [a, fresh, old].map(h => h.node.peerId)
    let block = await makeBlock(800, 400)
    for (let s = 401; rankPeers(block.cid, ids)[0] !== a.node.peerId; s++) block = await makeBlock(800, s)
    await a.store!.put(block.cid, block.bytes, { record: { replicas: 1 } })
    // Both fetch it and keep a copy: surplus copies, one just stored on a host with a long grace.
    await fresh.node.getBlock(block.cid)
    await old.node.getBlock(block.cid)
    expect(await fresh.node.gc()).toMatchObject({ checked: 0, surplus: 0 })
    expect(await fresh.store!.has(block.cid)).toBe(true)
    expect(await old.node.gc()).toMatchObject({ checked: 1, surplus: 1 })
    expect(await old.store!.has(block.cid)).toBe(false)
  })

  it('leaves alone the copy of a put coordinated here while the put is still sending it', async () => {
    mesh = new TestMesh()
    let open!: () => void
    const gate = new Promise<void>(resolve => { open = resolve })
    /** Takes blocks only once the gate opens: a copy sent to it stays in flight. */
    class SlowStore extends MemoryBlockStore {
      override async put (id: BlockId, bytes: Uint8Array, options?: StorePutOptions): Promise<void> {
        await gate
        await super.put(id, bytes, options)
      }
    }
    const hosts = [await mesh.host(NOW), await mesh.host({ ...NOW, store: new SlowStore() })]
    await fullMesh(hosts)
    const block = await makeBlock(1200, 300)
    const putting = hosts[0]!.node.putBlock(block.cid, block.bytes, { replicas: 2 })
    while (!await hosts[0]!.store!.has(block.cid)) await new Promise(resolve => setTimeout(resolve, 1))
    expect(await hosts[0]!.node.gc()).toMatchObject({ checked: 0 })
    open()
    expect(await putting).toEqual({ copies: 2 })
    expect(await hosts[0]!.store!.has(block.cid)).toBe(true)
  })
})
