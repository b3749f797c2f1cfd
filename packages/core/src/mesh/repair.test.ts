import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { MemoryBlockStore } from '../store/memory.js'
import { rankPeers } from './placement.js'
import { fullMesh, makeBlock, nextEvent, RottenStore, sameBytes, TestMesh, until } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

async function putBlocks (host: TestNode, count: number): Promise<Array<{ cid: BlockId, bytes: Uint8Array }>> {
  const blocks = []
  for (let seed = 1; seed <= count; seed++) {
    const block = await makeBlock(2000, seed)
    expect(await host.node.putBlock(block.cid, block.bytes, { replicas: 3 })).toEqual({ copies: 3 })
    blocks.push(block)
  }
  return blocks
}

async function holdsAll (host: TestNode, blocks: Array<{ cid: BlockId }>): Promise<boolean> {
  for (const b of blocks) if (!await host.store!.has(b.cid)) return false
  return true
}

describe('replica count (status.underReplicated)', () => {
  const count = async (host: TestNode): Promise<number> => (await host.node.status()).underReplicated

  it('counts the blocks a restarted host already holds, without waiting for a peer or the periodic pass', async () => {
    mesh = new TestMesh()
    const store = new MemoryBlockStore()
    const block = await makeBlock(1000, 1)
    await store.put(block.cid, block.bytes)
    const host = await mesh.host({ store })
    await until([host.node], ['repair'], async () => await count(host) === 1)
    expect(await host.node.status()).toMatchObject({ blocks: 1, replicas: 3, storingHosts: 1, underReplicated: 1 })
  })

  it('is fresh soon after blocks are stored, and the same on every host holding them', async () => {
    mesh = new TestMesh()
    const [a, b] = [await mesh.host(), await mesh.host()]
    await fullMesh([a!, b!])
    await until([a!.node, b!.node], ['repair'], async () => (await a!.node.status()).storingHosts === 2 && (await b!.node.status()).storingHosts === 2)
    for (let seed = 1; seed <= 5; seed++) {
      const block = await makeBlock(1000, seed)
      expect(await a!.node.putBlock(block.cid, block.bytes)).toEqual({ copies: 2 })
    }
    // Two hosts cannot hold R = 3 copies: both hold all five blocks, both count all five.
    await until([a!.node, b!.node], ['repair'], async () => await count(a!) === 5 && await count(b!) === 5)
    for (const host of [a!, b!]) expect(await host.node.status()).toMatchObject({ blocks: 5, replicas: 3, storingHosts: 2, underReplicated: 5 })
  })
})

describe('repair and puts in flight', () => {
  it('leaves a block alone while a put coordinated here is still sending it, then counts it', async () => {
    mesh = new TestMesh()
    let open!: () => void
    const gate = new Promise<void>(resolve => { open = resolve })
    /** Takes blocks only once the gate opens: the coordinator's copy to it stays in flight. */
    class SlowStore extends MemoryBlockStore {
      override async put (id: BlockId, bytes: Uint8Array): Promise<void> {
        await gate
        await super.put(id, bytes)
      }
    }
    const manual = { repairDelay: 3_600_000 }
    const a = await mesh.host(manual)
    const b = await mesh.host({ ...manual, store: new SlowStore() })
    await fullMesh([a, b])
    const block = await makeBlock(1000, 7)
    const putting = a.node.putBlock(block.cid, block.bytes)
    while (!await a.store!.has(block.cid)) await new Promise(resolve => setTimeout(resolve, 1))
    // A pass now would send b a second copy of what the put is sending it: it skips the block.
    expect(await a.node.repair()).toEqual({ checked: 0, copied: 0, underReplicated: 0 })
    open()
    expect(await putting).toEqual({ copies: 2 })
    expect(await a.node.repair()).toEqual({ checked: 1, copied: 0, underReplicated: 1 })
  })
})

describe('repair', () => {
  it('brings blocks back to R copies when a host is lost and another joins', async () => {
    mesh = new TestMesh()
    const [a, b, c] = [await mesh.host(), await mesh.host(), await mesh.host()]
    await fullMesh([a!, b!, c!])
    const blocks = await putBlocks(a!, 10)
    await c!.node.stop()
    // Two live hosts cannot hold R = 3 copies: every block counts as under-replicated.
    expect(await a!.node.repair()).toMatchObject({ checked: 10, underReplicated: 10 })
    expect((await a!.node.status()).underReplicated).toBe(10)
    const d = await mesh.host()
    await d.node.dial(a!.address)
    const live = [a!, b!, d]
    // Passes run on their own (membership changes, then follow-ups while blocks are under R).
    await until(live.map(h => h.node), ['repair'], async () => {
      if (!await holdsAll(d, blocks)) return false
      const statuses = await Promise.all(live.map(async h => await h.node.status()))
      return statuses.every(s => s.underReplicated === 0)
    })
    const results = await Promise.all(live.map(async h => await h.node.repair()))
    for (const r of results) expect(r).toMatchObject({ checked: 10, underReplicated: 0 })
    for (const h of live) expect((await h.node.status()).underReplicated).toBe(0)
  })

  it('counts blocks under R until the copies are back', async () => {
    mesh = new TestMesh()
    // Passes run only when asked in this test.
    const manual = { repairDelay: 3_600_000 }
    const list = [await mesh.host(manual), await mesh.host(manual), await mesh.host(manual)]
    await fullMesh(list)
    const [block] = await putBlocks(list[0]!, 1)
    const [first] = rankPeers(block!.cid, list.map(h => h.node.peerId))
    const holder = list.find(h => h.node.peerId === first)!
    const others = list.filter(h => h !== holder)
    await others[0]!.store!.delete(block!.cid)
    // A pass by a host that is not responsible sees the loss but leaves it to the top holder.
    expect(await others[1]!.node.repair()).toMatchObject({ checked: 1, copied: 0, underReplicated: 1 })
    expect((await others[1]!.node.status()).underReplicated).toBe(1)
    expect(await holder.node.repair()).toMatchObject({ checked: 1, copied: 1, underReplicated: 0 })
    expect(await others[0]!.store!.has(block!.cid)).toBe(true)
    expect(await others[1]!.node.repair()).toMatchObject({ underReplicated: 0 })
  })

  it('restores a block reported corrupt from another host', async () => {
    mesh = new TestMesh()
    const list = [await mesh.host(), await mesh.host(), await mesh.host()]
    await fullMesh(list)
    const [block] = await putBlocks(list[0]!, 1)
    const victim = list[1]!
    await victim.store!.delete(block!.cid)
    await victim.store!.put(block!.cid, new Uint8Array(2000))
    const restored = nextEvent<{ cid: string }>(victim.node, 'block:restored')
    const corrupt = nextEvent<{ cid: string }>(victim.node, 'block:corrupt')
    victim.node.reportCorrupt(block!.cid)
    expect(await corrupt).toEqual({ cid: block!.cid.toString() })
    expect(await restored).toEqual({ cid: block!.cid.toString() })
    expect(sameBytes(await victim.store!.get(block!.cid), block!.bytes)).toBe(true)
  })

  it('serves from elsewhere and restores when a host finds its copy rotten', async () => {
    mesh = new TestMesh()
    const rotten = new RottenStore()
    const list = [await mesh.host({ store: rotten }), await mesh.host(), await mesh.host()]
    await fullMesh(list)
    const ids = list.map(h => h.node.peerId)
    let block = await makeBlock(1500, 1)
    for (let seed = 2; rankPeers(block.cid, ids)[0] !== ids[0]; seed++) block = await makeBlock(1500, seed)
    await list[1]!.node.putBlock(block.cid, block.bytes, { replicas: 3 })
    rotten.rotten.add(block.cid.toString())
    const restored = nextEvent(list[0]!.node, 'block:restored')
    const client = await mesh.add('client')
    for (const h of list) await client.node.dial(h.address)
    expect(sameBytes(await client.node.getBlock(block.cid), block.bytes)).toBe(true)
    await restored
    expect(sameBytes(await rotten.get(block.cid), block.bytes)).toBe(true)
  })
})
