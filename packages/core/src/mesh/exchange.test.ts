import { afterEach, describe, expect, it } from 'vitest'
import { IntegrityError, ReplicationError, StorageFullError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { MemoryNetwork } from '../transport/memory-network.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { placeBlock } from './placement.js'
import { fullMesh, makeBlock, sameBytes, TestMesh } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

async function hosts (n: number, options: Parameters<TestMesh['host']>[0] = {}): Promise<TestNode[]> {
  const list: TestNode[] = []
  for (let i = 0; i < n; i++) list.push(await mesh.host(options))
  await fullMesh(list)
  return list
}

async function holders (list: TestNode[], cid: Parameters<MemoryBlockStore['has']>[0]): Promise<string[]> {
  const held = await Promise.all(list.map(async h => await h.store?.has(cid) === true))
  return list.filter((_, i) => held[i]).map(h => h.node.peerId).sort()
}

describe('put', () => {
  it('places R=3 copies on exactly the HRW top 3 of 4 hosts', async () => {
    mesh = new TestMesh()
    const list = await hosts(4)
    const ids = list.map(h => h.node.peerId)
    for (let seed = 1; seed <= 8; seed++) {
      const { cid, bytes } = await makeBlock(1000 + seed, seed)
      expect(await list[seed % 4]!.node.putBlock(cid, bytes, { replicas: 3 })).toEqual({ copies: 3 })
      expect(await holders(list, cid)).toEqual(placeBlock(cid, ids, 3).sort())
    }
  })

  it('lets a client put through one host, which coordinates', async () => {
    mesh = new TestMesh()
    const list = await hosts(4)
    const client = await mesh.add('client')
    await client.node.dial(list[0]!.address)
    const { cid, bytes } = await makeBlock(5000, 42)
    expect(await client.node.putBlock(cid, bytes)).toEqual({ copies: 3 })
    expect(await holders(list, cid)).toEqual(placeBlock(cid, list.map(h => h.node.peerId), 3).sort())
    // An option bag that carries `replicas: undefined` still gets the default R.
    const other = await makeBlock(5000, 43)
    expect(await client.node.putBlock(other.cid, other.bytes, { replicas: undefined })).toEqual({ copies: 3 })
  })

  it('hashes putBlock bytes locally but not blockSink bytes (addFile named them), and the host hashes them either way', async () => {
    mesh = new TestMesh()
    const list = await hosts(3)
    const client = await mesh.add('client')
    await client.node.dial(list[0]!.address)
    const { cid, bytes } = await makeBlock(5000, 44)
    const wrong = bytes.slice()
    wrong[0] = (wrong[0] ?? 0) ^ 1
    await expect(client.node.putBlock(cid, wrong)).rejects.toBeInstanceOf(IntegrityError)
    await expect(client.node.blockSink().put(cid, wrong)).rejects.toBeInstanceOf(ReplicationError)
    expect(await holders(list, cid)).toEqual([])
    expect(await client.node.blockSink().put(cid, bytes)).toEqual({ copies: 3 })
  })

  it("applies the coordinating host's R when a client asks for none, and the client's R when it asks", async () => {
    mesh = new TestMesh()
    const list = await hosts(4, { replicas: 2 })
    const client = await mesh.add('client')
    await client.node.dial(list[0]!.address)
    const ids = list.map(h => h.node.peerId)
    const first = await makeBlock(3000, 51)
    expect(await client.node.putBlock(first.cid, first.bytes)).toEqual({ copies: 2 })
    expect(await holders(list, first.cid)).toEqual(placeBlock(first.cid, ids, 2).sort())
    const second = await makeBlock(3000, 52)
    expect(await client.node.putBlock(second.cid, second.bytes, { replicas: 4 })).toEqual({ copies: 4 })
    expect(await holders(list, second.cid)).toEqual([...ids].sort())
  })

  it('fails below W copies with ReplicationError, storage-full surfaced', async () => {
    mesh = new TestMesh()
    const list = [
      await mesh.host(),
      await mesh.host({ store: new MemoryBlockStore({ maxStorage: 10 }) }),
      await mesh.host({ store: new MemoryBlockStore({ maxStorage: 10 }) })
    ]
    await fullMesh(list)
    const { cid, bytes } = await makeBlock(1000, 7)
    const err = await list[0]!.node.putBlock(cid, bytes).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ReplicationError)
    expect((err as ReplicationError).copies).toBe(1)
    expect((err as ReplicationError).cause).toBeInstanceOf(StorageFullError)
    expect((err as Error).message).toContain('storage full')

    const client = await mesh.add('client')
    await client.node.dial(list[1]!.address)
    const viaHost = await client.node.putBlock(cid, bytes).catch((e: unknown) => e)
    expect(viaHost).toBeInstanceOf(ReplicationError)
    expect((viaHost as ReplicationError).cause).toBeInstanceOf(StorageFullError)
  })

  it('honours an explicit write quorum', async () => {
    mesh = new TestMesh()
    const list = [await mesh.host({ writeQuorum: 3 }), await mesh.host({ writeQuorum: 3 })]
    await fullMesh(list)
    const { cid, bytes } = await makeBlock(100, 3)
    await expect(list[0]!.node.putBlock(cid, bytes)).rejects.toMatchObject({ code: 'ERR_REPLICATION', copies: 2 })
  })

  it('replaces a host that keeps no blocks by the next in rank', async () => {
    mesh = new TestMesh()
    const list = [await mesh.host(), await mesh.host(), await mesh.host(), await mesh.host({ noStore: true })]
    await fullMesh(list)
    for (let seed = 1; seed <= 6; seed++) {
      const { cid, bytes } = await makeBlock(300, seed)
      expect(await list[0]!.node.putBlock(cid, bytes, { replicas: 3 })).toEqual({ copies: 3 })
      expect(await holders(list, cid)).toHaveLength(3)
    }
  })
})

describe('get', () => {
  it('fetches from another host, and a client through the one host it knows', async () => {
    mesh = new TestMesh()
    const list = await hosts(4)
    const ids = list.map(h => h.node.peerId)
    let block = await makeBlock(2000, 1)
    for (let seed = 2; placeBlock(block.cid, ids, 3).includes(ids[0]!); seed++) block = await makeBlock(2000, seed)
    await list[1]!.node.putBlock(block.cid, block.bytes)
    expect(sameBytes(await list[0]!.node.getBlock(block.cid), block.bytes)).toBe(true)

    const client = await mesh.add('client')
    await client.node.dial(list[3]!.address)
    const other = await makeBlock(3000, 99)
    await list[2]!.node.putBlock(other.cid, other.bytes)
    expect(sameBytes(await client.node.getBlock(other.cid), other.bytes)).toBe(true)
  })

  it('spreads the requests of a multi-block get over several hosts', async () => {
    mesh = new TestMesh()
    const list = await hosts(4)
    const blocks = await Promise.all(Array.from({ length: 24 }, async (_, i) => await makeBlock(20_000, i + 1)))
    for (const b of blocks) await list[0]!.node.putBlock(b.cid, b.bytes)
    const client = await mesh.add('client')
    for (const h of list) await client.node.dial(h.address)
    const got = await Promise.all(blocks.map(async b => await client.node.getBlock(b.cid)))
    got.forEach((bytes, i) => { expect(sameBytes(bytes, blocks[i]!.bytes)).toBe(true) })
    const served = client.node.peers().filter(p => p.bytesReceived > 20_000)
    expect(served.length).toBeGreaterThanOrEqual(3)
  })

  it('moves a maximal block in parts over a small-frame transport', async () => {
    mesh = new TestMesh()
    Object.assign(mesh, { net: new MemoryNetwork({ maxFrameSize: 64 * 1024 }) })
    const list = await hosts(3)
    const big = await makeBlock(MAX_BLOCK_SIZE, 5)
    expect(await list[0]!.node.putBlock(big.cid, big.bytes)).toEqual({ copies: 3 })
    const client = await mesh.add('client')
    await client.node.dial(list[1]!.address)
    expect(sameBytes(await client.node.getBlock(big.cid), big.bytes)).toBe(true)
  })

  it('serves a block a tab stored itself and put with `stored`, written to its store once', async () => {
    mesh = new TestMesh()
    class FullStore extends MemoryBlockStore {
      override async put (): Promise<void> { throw new StorageFullError('full') }
    }
    class CountingStore extends MemoryBlockStore {
      puts = 0
      override async put (...args: Parameters<MemoryBlockStore['put']>): Promise<void> {
        this.puts++
        await super.put(...args)
      }
    }
    const host = await mesh.host({ store: new FullStore() })
    const tabStore = new CountingStore()
    const tab = await mesh.add('browser', { store: tabStore })
    await tab.node.dial(host.address)
    const { cid, bytes } = await makeBlock(4000, 11)
    // The host cannot keep it, so the only copy is the tab's: the host must learn of it from the tab's `have`.
    await expect(tab.node.blockSink().put(cid, bytes)).rejects.toMatchObject({ copies: 0 })
    expect(tabStore.puts).toBe(1)
    const client = await mesh.add('client')
    await client.node.dial(host.address)
    expect(sameBytes(await client.node.getBlock(cid), bytes)).toBe(true)
    expect(tabStore.puts).toBe(1)
  })

  it('caches fetched blocks in a browser store and announces them', async () => {
    mesh = new TestMesh()
    const list = await hosts(2)
    const { cid, bytes } = await makeBlock(500, 8)
    await list[0]!.node.putBlock(cid, bytes)
    const tab = await mesh.add('browser')
    await tab.node.dial(list[1]!.address)
    expect(sameBytes(await tab.node.getBlock(cid), bytes)).toBe(true)
    expect(await tab.store!.has(cid)).toBe(true)
  })
})
