/**
 * Owner removal: a wrong secret changes nothing; the right one makes every
 * host refuse and drop the file's blocks, including a host that was away
 * during the removal and comes back with its copies.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { MemoryBlockStore } from '../store/memory.js'
import { newOwner } from './owner.js'
import { fullMesh, makeBlock, TestMesh, until } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

const HOST = { gcGrace: 0 }

async function holding (hosts: TestNode[], cids: BlockId[]): Promise<number> {
  let n = 0
  for (const h of hosts) for (const cid of cids) if (await h.store!.has(cid)) n++
  return n
}

describe('owner removal', () => {
  it('a wrong secret is refused (ERR_OWNER) and changes nothing; the owner\'s removes the file everywhere', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(HOST), await mesh.host(HOST), await mesh.host(HOST)]
    await fullMesh(hosts)
    const client = await mesh.add('client')
    await client.node.dial(hosts[0]!.address)
    const owner = await newOwner()
    const [root, other] = [await makeBlock(600, 1), await makeBlock(700, 2)]
    for (const b of [other, root]) await client.node.putBlock(b.cid, b.bytes, { replicas: 3, owner: owner.tag })
    const cids = [root.cid, other.cid]
    expect(await holding(hosts, cids)).toBe(6)

    const wrong = await newOwner()
    await expect(client.node.removeFile(root.cid, wrong.secret)).rejects.toMatchObject({ code: 'ERR_OWNER' })
    await Promise.all(hosts.map(async h => await h.node.gc()))
    expect(await holding(hosts, cids)).toBe(6)
    expect((await client.node.getBlock(root.cid)).length).toBe(600)

    await client.node.removeFile(root.cid, owner.secret)
    // Refused at once, before any pass reclaims it.
    await expect(client.node.getBlock(other.cid)).rejects.toMatchObject({ code: 'ERR_DELETED' })
    await until(hosts.map(h => h.node), ['gc'], async () => await holding(hosts, cids) === 0)
    for (const h of hosts) expect((await h.node.status()).reclaimedBytes).toBe(1300)
  })

  it('a file nobody holds is not found; one put without an owner cannot be removed', async () => {
    mesh = new TestMesh()
    const host = await mesh.host(HOST)
    const client = await mesh.add('client')
    await client.node.dial(host.address)
    const owner = await newOwner()
    const block = await makeBlock(300, 3)
    await expect(client.node.removeFile(block.cid, owner.secret)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await client.node.putBlock(block.cid, block.bytes)
    await expect(client.node.removeFile(block.cid, owner.secret)).rejects.toMatchObject({ code: 'ERR_OWNER' })
    expect(await host.store!.has(block.cid)).toBe(true)
  })

  it('a host away during the removal drops its copies when it comes back', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(HOST), await mesh.host(HOST)]
    await fullMesh(hosts)
    const owner = await newOwner()
    const [root, other] = [await makeBlock(500, 4), await makeBlock(900, 5)]
    // The away host holds both blocks, as it did before it went down.
    const awayStore = new MemoryBlockStore()
    for (const b of [other, root]) {
      await hosts[0]!.node.putBlock(b.cid, b.bytes, { replicas: 2, owner: owner.tag })
      await awayStore.put(b.cid, b.bytes, { record: { replicas: 2, owner: owner.tag } })
    }
    await hosts[0]!.node.removeFile(root.cid, owner.secret)
    await until(hosts.map(h => h.node), ['gc'], async () => await holding(hosts, [root.cid, other.cid]) === 0)
    const back = await mesh.host({ ...HOST, store: awayStore })
    await back.node.dial(hosts[0]!.address)
    await until([back.node], ['gc'], async () => await holding([back], [root.cid, other.cid]) === 0)
    expect((await back.node.status()).reclaimedBytes).toBe(1400)
  })
})
