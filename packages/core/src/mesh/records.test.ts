/**
 * Per-block records through the mesh: a put's R, expiry and owner tag reach
 * every copy (coordinated by a host, forwarded by a client), repair carries
 * them and keeps each block's own R, and hosts refuse expiries they do not take.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { fullMesh, makeBlock, sameBytes, TestMesh, until } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

const owner = new Uint8Array(32).fill(3)

async function holders (hosts: TestNode[], cid: Parameters<TestNode['node']['getBlock']>[0]): Promise<TestNode[]> {
  const out = []
  for (const h of hosts) if (await h.store!.has(cid)) out.push(h)
  return out
}

describe('per-block records in the mesh', () => {
  it('a client\'s put stores R, expiry and owner tag with every copy', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(), await mesh.host(), await mesh.host()]
    await fullMesh(hosts)
    const client = await mesh.add('client')
    await client.node.dial(hosts[0]!.address)
    const block = await makeBlock(3000, 1)
    const expires = Date.now() + 60_000
    expect(await client.node.putBlock(block.cid, block.bytes, { replicas: 2, expires, owner })).toEqual({ copies: 2 })
    const held = await holders(hosts, block.cid)
    expect(held).toHaveLength(2)
    for (const h of held) expect(await h.store!.record(block.cid)).toEqual({ replicas: 2, expires, owner })
  })

  it('repair keeps a block\'s own R, not the host default, and carries its record', async () => {
    mesh = new TestMesh()
    // Host default R = 1; the file asked for 2.
    const hosts = [await mesh.host({ replicas: 1 }), await mesh.host({ replicas: 1 }), await mesh.host({ replicas: 1 })]
    await fullMesh(hosts)
    const block = await makeBlock(3000, 2)
    const expires = Date.now() + 60_000
    expect(await hosts[0]!.node.putBlock(block.cid, block.bytes, { replicas: 2, expires, owner })).toEqual({ copies: 2 })
    const [lost, kept] = await holders(hosts, block.cid)
    await lost!.node.stop()
    const live = hosts.filter(h => h !== lost)
    const spare = live.find(h => h !== kept)!
    await until(live.map(h => h.node), ['repair'], async () => await spare.store!.has(block.cid))
    expect(await spare.store!.record(block.cid)).toEqual({ replicas: 2, expires, owner })
    expect((await kept!.node.repair()).underReplicated).toBe(0)
  })

  it('repair does not add copies beyond a block\'s R when the host default is larger', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(), await mesh.host(), await mesh.host()]
    await fullMesh(hosts)
    const block = await makeBlock(3000, 3)
    expect(await hosts[0]!.node.putBlock(block.cid, block.bytes, { replicas: 1 })).toEqual({ copies: 1 })
    for (const h of hosts) expect(await h.node.repair()).toMatchObject({ copied: 0, underReplicated: 0 })
    expect(await holders(hosts, block.cid)).toHaveLength(1)
  })

  it('expiryOf tells a node when a file expires, as a host holding its root says', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const client = await mesh.add('client')
    await client.node.dial(host.address)
    const [timed, forever] = [await makeBlock(400, 6), await makeBlock(400, 7)]
    const expires = Date.now() + 90_000
    await client.node.putBlock(timed.cid, timed.bytes, { expires })
    await client.node.putBlock(forever.cid, forever.bytes)
    expect(await client.node.expiryOf(timed.cid)).toBe(expires)
    expect(await client.node.expiryOf(forever.cid)).toBeUndefined()
  })

  it('a host refuses an expiry in the past or beyond its --max-expiry with ERR_EXPIRY, storing nothing', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ maxExpiry: 60_000 })
    const client = await mesh.add('client')
    await client.node.dial(host.address)
    const block = await makeBlock(500, 4)
    await expect(client.node.putBlock(block.cid, block.bytes, { expires: Date.now() + 120_000 })).rejects.toMatchObject({ code: 'ERR_EXPIRY' })
    await expect(client.node.putBlock(block.cid, block.bytes)).rejects.toMatchObject({ code: 'ERR_EXPIRY' })
    await expect(client.node.putBlock(block.cid, block.bytes, { expires: Date.now() - 1 })).rejects.toMatchObject({ code: 'ERR_EXPIRY' })
    expect(await host.store!.has(block.cid)).toBe(false)
    const expires = Date.now() + 30_000
    expect(await client.node.putBlock(block.cid, block.bytes, { expires })).toEqual({ copies: 1 })
    expect(await host.store!.record(block.cid)).toEqual({ replicas: 3, expires })
  })

  it('from its expiry on, no host serves a block: a get fails with ERR_EXPIRED, a probe says dont-have', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(), await mesh.host()]
    await fullMesh(hosts)
    const client = await mesh.add('client')
    await client.node.dial(hosts[0]!.address)
    const block = await makeBlock(800, 5)
    const expires = Date.now() + 400
    expect(await client.node.putBlock(block.cid, block.bytes, { expires })).toEqual({ copies: 2 })
    expect(sameBytes(await client.node.getBlock(block.cid), block.bytes)).toBe(true)
    expect(await client.node.heldBy(hosts[0]!.node.peerId, [block.cid])).toEqual([true])
    await untilTime(expires)
    await expect(client.node.getBlock(block.cid)).rejects.toMatchObject({ code: 'ERR_EXPIRED' })
    expect(await client.node.heldBy(hosts[0]!.node.peerId, [block.cid])).toEqual([false])
    // A host's own read of it fails the same way; repair leaves it alone.
    await expect(hosts[1]!.node.getBlock(block.cid)).rejects.toMatchObject({ code: 'ERR_EXPIRED' })
    expect(await hosts[0]!.node.repair()).toMatchObject({ checked: 0, copied: 0 })
  })
})

/** Resolve once the wall clock has reached `time` (ms since the epoch). */
async function untilTime (time: number): Promise<void> {
  while (Date.now() < time) await new Promise(resolve => setTimeout(resolve, Math.max(1, time - Date.now())))
}
