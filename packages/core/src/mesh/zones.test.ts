import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { MemoryBlockStore } from '../store/memory.js'
import { fullMesh, makeBlock, sameBytes, TestMesh, until } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

/** Repair passes run only when asked. */
const MANUAL = { repairDelay: 3_600_000 }

interface ZonedHost extends TestNode {
  zone: string
}

async function zonedHosts (zones: number, perZone: number, prefix = 'zone'): Promise<ZonedHost[]> {
  const list: ZonedHost[] = []
  for (let i = 0; i < zones * perZone; i++) {
    const zone = `${prefix}${i % zones}`
    list.push({ ...await mesh.host({ ...MANUAL, zone }), zone })
  }
  return list
}

async function holderZones (list: ZonedHost[], cid: BlockId): Promise<string[]> {
  const zones: string[] = []
  for (const h of list) if (await h.store!.has(cid)) zones.push(h.zone)
  return zones
}

/** Repair on every host until none sees a block under R (each pass may reveal work for another). */
async function repairAll (list: TestNode[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    let under = 0
    for (const h of list) under += (await h.node.repair()).underReplicated
    if (under === 0) return
  }
  throw new Error('repair did not converge in 5 rounds')
}

describe('zones', () => {
  it('carries a host\'s zone in its hello, in gossip and in status', async () => {
    mesh = new TestMesh()
    const list = await zonedHosts(3, 1)
    await fullMesh(list)
    expect((await list[0]!.node.status()).zone).toBe('zone0')
    // list[0] heard of list[2] from list[1]'s gossip, zone included.
    await until([list[0]!.node], ['gossip'], () => list[0]!.node.knownPeers().some(p => p.peerId === list[2]!.node.peerId && p.zone === 'zone2'))
    const seen = list[0]!.node.knownPeers().find(p => p.peerId === list[2]!.node.peerId)
    expect(seen?.zone).toBe('zone2')
  })

  it('refuses a zone name the wire would not carry', async () => {
    mesh = new TestMesh()
    await expect(mesh.host({ zone: 'has space' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await expect(mesh.host({ zone: 'z'.repeat(65) })).rejects.toThrow(/zone/)
  })

  it('12 hosts in 3 zones: copies in 3 zones; a zone dies, nothing is lost and repair restores R; it returns and copies spread over 3 zones again', async () => {
    mesh = new TestMesh()
    const list = await zonedHosts(3, 4)
    await fullMesh(list)
    const blocks = []
    for (let seed = 1; seed <= 40; seed++) {
      const block = await makeBlock(1500, seed)
      expect(await list[seed % list.length]!.node.putBlock(block.cid, block.bytes, { replicas: 3 })).toEqual({ copies: 3 })
      blocks.push(block)
    }
    for (const { cid } of blocks) expect(new Set(await holderZones(list, cid)).size).toBe(3)

    const dead = list.filter(h => h.zone === 'zone2')
    const live = list.filter(h => h.zone !== 'zone2')
    await Promise.all(dead.map(async h => { await h.node.stop() }))
    await until(live.map(h => h.node), ['peer:disconnect'], () => live.every(h => h.node.peers().filter(p => p.role === 'host').length === live.length - 1))
    await repairAll(live)
    for (const { cid } of blocks) {
      const zones = await holderZones(live, cid)
      expect(zones.length).toBe(3)
      // Two zones left for three copies: as even as possible, 2 + 1.
      expect(new Set(zones).size).toBe(2)
    }

    const back = await zonedHosts(1, 4, 'zone-2-again')
    const all = [...live, ...back]
    await fullMesh(all)
    await repairAll(all)
    for (const { cid, bytes } of blocks) {
      expect(new Set(await holderZones(all, cid)).size).toBe(3)
      expect(sameBytes(await back[0]!.node.getBlock(cid), bytes)).toBe(true)
    }
  })
})

describe('capacity', () => {
  it('hosts share blocks by the weight they send in their hello: twice as large, about twice as many', async () => {
    mesh = new TestMesh()
    const list = [await mesh.host({ ...MANUAL, weight: 1e12 }), await mesh.host({ ...MANUAL, weight: 1e12 }), await mesh.host({ ...MANUAL, weight: 2e12 })]
    await fullMesh(list)
    for (let seed = 1; seed <= 400; seed++) {
      const block = await makeBlock(64, seed)
      await list[seed % 3]!.node.putBlock(block.cid, block.bytes, { replicas: 1 })
    }
    const counts = await Promise.all(list.map(async h => (await h.store!.stats()).blocks))
    expect(counts.reduce((a, b) => a + b, 0)).toBe(400)
    // Expected 100, 100, 200 (standard deviation about 9 and 10).
    expect(counts[0]).toBeGreaterThan(70)
    expect(counts[1]).toBeGreaterThan(70)
    expect(counts[2]).toBeGreaterThan(160)
    expect(counts[2]).toBeLessThan(240)
  })

  it('a host over its high-water mark takes no new blocks, says so in status, and still serves its own', async () => {
    mesh = new TestMesh()
    const small = await mesh.host({ ...MANUAL, store: new MemoryBlockStore({ maxStorage: 6000 }), highWater: 0.5 })
    const others = [await mesh.host(MANUAL), await mesh.host(MANUAL), await mesh.host(MANUAL)]
    await fullMesh([small, ...others])
    // Fill the small host past half its quota with blocks placed on it.
    const held = []
    for (let seed = 1; held.length < 2; seed++) {
      const block = await makeBlock(1600, seed)
      await others[0]!.node.putBlock(block.cid, block.bytes, { replicas: 3 })
      if (await small.store!.has(block.cid)) held.push(block)
    }
    expect((await small.node.status())).toMatchObject({ full: true, capacity: 6000 })
    const before = (await small.store!.stats()).blocks
    // New blocks that would have gone to it go elsewhere, with all three copies.
    for (let seed = 1000; seed < 1020; seed++) {
      const block = await makeBlock(1600, seed)
      expect(await others[seed % 3]!.node.putBlock(block.cid, block.bytes, { replicas: 3 })).toEqual({ copies: 3 })
    }
    expect((await small.store!.stats()).blocks).toBe(before)
    // A client connected to the full host alone reads what it holds.
    const client = await mesh.add('client')
    await client.node.dial(small.address)
    for (const block of held) expect(sameBytes(await client.node.getBlock(block.cid), block.bytes)).toBe(true)
  })
})
