import { encode } from 'cborg'
import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { UnavailableError } from '../errors.js'
import { rankPeers } from './placement.js'
import { memoryPair } from '../transport/memory.js'
import { fullMesh, GatedStore, LyingStore, makeBlock, nextEvent, rawConnect, rawHandshake, sameBytes, TestMesh, withMaxFrameSize } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
const gates: GatedStore[] = []
afterEach(async () => {
  for (const gate of gates.splice(0)) gate.open()
  await mesh.stopAll()
})

function gated (): GatedStore {
  const store = new GatedStore()
  gates.push(store)
  return store
}

/** Blocks for which `first` ranks highest among `ids`. */
async function blocksFirstAt (first: string, ids: string[], count: number, size = 4000): Promise<Array<{ cid: BlockId, bytes: Uint8Array }>> {
  const found = []
  for (let seed = 1; found.length < count; seed++) {
    const block = await makeBlock(size, seed)
    if (rankPeers(block.cid, ids)[0] === first) found.push(block)
  }
  return found
}

async function clientOf (list: TestNode[], options: Parameters<TestMesh['add']>[1] = {}): Promise<TestNode> {
  const client = await mesh.add('client', options)
  for (const h of list) await client.node.dial(h.address)
  return client
}

describe('faults', () => {
  it('catches a lying peer at its first bad block and drops it after repeated faults', async () => {
    mesh = new TestMesh()
    const list = [await mesh.host(), await mesh.host(), await mesh.host(), await mesh.host({ store: new LyingStore() })]
    await fullMesh(list)
    const liar = list[3]!.node.peerId
    const blocks = await blocksFirstAt(liar, list.map(h => h.node.peerId), 3)
    for (const b of blocks) expect(await list[0]!.node.putBlock(b.cid, b.bytes, { replicas: 4 })).toEqual({ copies: 4 })
    const client = await clientOf(list)
    const dropped = nextEvent<{ peerId: string }>(client.node, 'peer:disconnect', d => d.peerId === liar)

    expect(sameBytes(await client.node.getBlock(blocks[0]!.cid), blocks[0]!.bytes)).toBe(true)
    expect(client.node.peers().map(p => p.peerId)).toContain(liar)
    for (const b of blocks.slice(1)) expect(sameBytes(await client.node.getBlock(b.cid), b.bytes)).toBe(true)
    await dropped
    expect(client.node.peers().map(p => p.peerId)).not.toContain(liar)
  })

  it('completes a get from another replica when a host stops mid-transfer', async () => {
    mesh = new TestMesh()
    const slow = gated()
    const list = [await mesh.host({ store: slow }), await mesh.host(), await mesh.host()]
    await fullMesh(list)
    const [block] = await blocksFirstAt(list[0]!.node.peerId, list.map(h => h.node.peerId), 1)
    await list[1]!.node.putBlock(block!.cid, block!.bytes, { replicas: 3 })
    const client = await clientOf(list)
    const get = client.node.getBlock(block!.cid)
    await slow.reads
    await list[0]!.node.stop()
    expect(sameBytes(await get, block!.bytes)).toBe(true)
  })

  it('retries elsewhere when a host does not answer in time', async () => {
    mesh = new TestMesh()
    const list = [await mesh.host({ store: gated() }), await mesh.host(), await mesh.host()]
    await fullMesh(list)
    const [block] = await blocksFirstAt(list[0]!.node.peerId, list.map(h => h.node.peerId), 1)
    await list[1]!.node.putBlock(block!.cid, block!.bytes, { replicas: 3 })
    const client = await clientOf(list, { requestTimeout: 50 })
    expect(sameBytes(await client.node.getBlock(block!.cid), block!.bytes)).toBe(true)
  })

  it('fails promptly with UnavailableError when no replica is left', async () => {
    mesh = new TestMesh()
    // R = 2 everywhere, so repair does not copy the block to the third host either.
    const list = [await mesh.host({ replicas: 2 }), await mesh.host({ replicas: 2 }), await mesh.host({ replicas: 2 })]
    await fullMesh(list)
    const ids = list.map(h => h.node.peerId)
    let block = await makeBlock(1000, 1)
    for (let seed = 2; rankPeers(block.cid, ids)[2] !== ids[2]; seed++) block = await makeBlock(1000, seed)
    expect(await list[0]!.node.putBlock(block.cid, block.bytes)).toEqual({ copies: 2 })
    const client = await clientOf(list)
    await Promise.all([list[0]!.node.stop(), list[1]!.node.stop()])
    const started = performance.now()
    await expect(client.node.getBlock(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    expect(performance.now() - started).toBeLessThan(2_000)

    const alone = await mesh.add('client')
    await expect(alone.node.getBlock(block.cid)).rejects.toBeInstanceOf(UnavailableError)
  })

  it('disconnects a peer that floods requests past the in-flight limit', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ store: gated() })
    const { cid, bytes } = await makeBlock(100, 1)
    await host.store!.put(cid, bytes)
    const raw = await rawConnect(mesh, host.address, { role: 'client' })
    const gone = nextEvent(host.node, 'peer:disconnect')
    for (let id = 1; id <= 65; id++) await raw.send({ t: 'want', id, cid: cid.bytes })
    expect(await raw.nextMatching(m => m.t === 'error')).toMatchObject({ code: 'ERR_PROTOCOL' })
    await gone
    await raw.conn.closed
    expect(host.node.peers()).toEqual([])
  })

  it('answers malformed and unknown frames with errors, then disconnects', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const raw = await rawConnect(mesh, host.address)
    await raw.conn.send(new Uint8Array([0xff, 0x00, 0x13]))
    expect(await raw.nextMatching(m => m.t === 'error')).toMatchObject({ code: 'ERR_FRAME_MALFORMED' })
    await raw.conn.send(encode({ t: 'bogus' }))
    expect(await raw.nextMatching(m => m.t === 'error')).toMatchObject({ code: 'ERR_UNKNOWN_MESSAGE' })
    expect(host.node.peers()).toHaveLength(1)
    await raw.send({ t: 'hello', version: 1, peerId: raw.identity.peerId, publicKey: raw.identity.publicKey, role: 'client', nonce: new Uint8Array(32), addrs: [] })
    expect(await raw.nextMatching(m => m.t === 'error' && m.code === 'ERR_PROTOCOL' && m.id === undefined)).toBeDefined()
    await raw.conn.closed
    expect(host.node.peers()).toEqual([])
  })

  it('disconnects a peer that sends a frame over the connection limit', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const [ours, theirs] = memoryPair()
    const accepted = host.node.accept(withMaxFrameSize(theirs, 8192))
    const raw = await rawHandshake(ours)
    await accepted
    const { cid, bytes } = await makeBlock(9000, 1)
    await raw.send({ t: 'put', id: 1, cid: cid.bytes, offset: 0, total: bytes.length, data: bytes })
    expect(await raw.nextMatching(m => m.t === 'error')).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' })
    await raw.conn.closed
    expect(host.node.peers()).toEqual([])
    expect(await host.store!.has(cid)).toBe(false)
  })

  it('refuses a put whose bytes do not match its id', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const raw = await rawConnect(mesh, host.address)
    const a = await makeBlock(100, 1)
    const b = await makeBlock(100, 2)
    await raw.send({ t: 'put', id: 7, cid: a.cid.bytes, offset: 0, total: 100, data: b.bytes })
    expect(await raw.nextMatching(m => m.t === 'error' || m.t === 'stored')).toMatchObject({ t: 'error', id: 7, code: 'ERR_INTEGRITY' })
    expect(await host.store!.has(a.cid)).toBe(false)
  })
})
