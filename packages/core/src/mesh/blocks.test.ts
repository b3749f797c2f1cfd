import { afterEach, describe, expect, it, vi } from 'vitest'
import { webCryptoProvider, type CryptoProvider } from '../crypto/provider.js'
import { UnavailableError } from '../errors.js'
import { addFile } from '../file/add.js'
import { MemoryBlockStore } from '../store/memory.js'
import { BLOCK_PLAINTEXT } from '../crypto/geometry.js'
import { openFile } from '../file/read.js'
import { collect, expectSameBytes, pieces } from '../../test/support/file.js'
import { testBytes } from '../testing/bytes.js'
import { fullMesh, makeBlock, TestMesh, type TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => {
  vi.restoreAllMocks()
  await mesh.stopAll()
})

/** Hosts whose own hashing of received blocks is counted, so a test can tell it from the client's. */
async function countingHosts (n: number): Promise<{ list: TestNode[], hashes: () => number }> {
  let hashes = 0
  const counted: CryptoProvider = {
    ...webCryptoProvider,
    sha256: async (bytes: Uint8Array): Promise<Uint8Array> => { hashes++; return await webCryptoProvider.sha256(bytes) }
  }
  const list: TestNode[] = []
  for (let i = 0; i < n; i++) list.push(await mesh.host({ crypto: counted }))
  await fullMesh(list)
  return { list, hashes: () => hashes }
}

/** Counts SHA-256 calls through Web Crypto (block ids, block checks and handshakes alike). */
function countDigests (): () => number {
  const spy = vi.spyOn(crypto.subtle, 'digest')
  return () => spy.mock.calls.length
}

describe('the mesh as the file pipelines\' blocks', () => {
  const bytes = testBytes(2 * BLOCK_PLAINTEXT + 1000, 5)

  it('hashes each block once on the way to a reader, and a raw getter once more', async () => {
    mesh = new TestMesh()
    const { list } = await countingHosts(2)
    const added = await addFile(pieces(bytes, 65_536), { name: 'r.bin' }, list[0]!.node.blockSink())
    const client = await mesh.add('client')
    await client.node.dial(list[1]!.address)
    const fetched = 1 + added.blocks // the root manifest and the content
    const digests = countDigests()
    expectSameBytes(await collect((await openFile(added.link, client.node.blockSource())).read()), bytes)
    expect(digests()).toBe(fetched)
    // Over a plain function the reader cannot know the mesh hashed the blocks: it hashes them too.
    const before = digests()
    const file = await openFile(added.link, async (id, options) => await client.node.getBlock(id, options))
    expectSameBytes(await collect(file.read()), bytes)
    expect(digests() - before).toBe(2 * fetched)
  })

  it('does not hash blocks addFile named again on the adding side; hosts hash what they receive', async () => {
    mesh = new TestMesh()
    const { list, hashes } = await countingHosts(2)
    const client = await mesh.add('client')
    await client.node.dial(list[0]!.address)
    const digests = countDigests()
    const added = await addFile(pieces(bytes, 65_536), { name: 'a.bin' }, client.node.blockSink({ replicas: 2 }))
    const stored = 1 + added.blocks
    expect(added.replicas).toBe(2)
    // Each block: named once by addFile on the client, checked once by each host that stores it.
    expect(hashes()).toBe(2 * stored)
    expect(digests() - hashes()).toBe(stored)
  })

  it('keeps a tab\'s own copy first through its sink, and fails the put if the tab cannot keep it', async () => {
    mesh = new TestMesh()
    const { list } = await countingHosts(1)
    const tab = await mesh.add('browser')
    await tab.node.dial(list[0]!.address)
    const block = await makeBlock(3000, 21)
    expect(await tab.node.blockSink().put(block.cid, block.bytes)).toEqual({ copies: 1 })
    expect(await tab.store!.has(block.cid)).toBe(true)
    const full = await mesh.add('browser', { store: new MemoryBlockStore({ maxStorage: 100 }) })
    await full.node.dial(list[0]!.address)
    await expect(full.node.blockSink().put(block.cid, block.bytes)).rejects.toMatchObject({ code: 'ERR_STORAGE_FULL' })
    // putBlock keeps a tab's copy only as a cache: a full store does not fail it.
    expect(await full.node.putBlock(block.cid, block.bytes)).toEqual({ copies: 1 })
  })

  it('with `wait`, retries a block until a peer that has it connects', async () => {
    mesh = new TestMesh()
    const { list } = await countingHosts(1)
    const block = await makeBlock(2000, 9)
    await list[0]!.node.putBlock(block.cid, block.bytes)
    const client = await mesh.add('client')
    await expect(client.node.blockSource().get(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    const waiting = client.node.blockSource({ wait: 5_000 }).get(block.cid)
    setTimeout(() => { void client.node.dial(list[0]!.address) }, 50)
    expectSameBytes(await waiting, block.bytes)
    const alone = await mesh.add('client')
    await expect(alone.node.blockSource({ wait: 100 }).get(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    const controller = new AbortController()
    const aborted = alone.node.blockSource({ wait: 5_000 }).get(block.cid, { signal: controller.signal })
    controller.abort(new Error('stop'))
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('with `peersComing`, stops waiting as soon as no other peer is on its way', async () => {
    mesh = new TestMesh()
    const { list } = await countingHosts(1)
    const missing = await makeBlock(2000, 10)
    const client = await mesh.add('client')
    await client.node.dial(list[0]!.address)
    let asked = 0
    const started = performance.now()
    const source = client.node.blockSource({ wait: 10_000, peersComing: () => { asked++; return asked < 3 } })
    await expect(source.get(missing.cid)).rejects.toBeInstanceOf(UnavailableError)
    // Asked after each miss: two retries (about a second apart), then final.
    expect(asked).toBe(3)
    expect(performance.now() - started).toBeLessThan(5_000)
    const never = client.node.blockSource({ wait: 10_000, peersComing: () => false })
    const at = performance.now()
    await expect(never.get(missing.cid)).rejects.toBeInstanceOf(UnavailableError)
    expect(performance.now() - at, 'the first miss is final').toBeLessThan(1_000)
  })
})

describe('heldBy', () => {
  it('asks a connected host which blocks it holds, with want probes in batches', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const client = await mesh.add('client')
    const hostId = await client.node.dial(host.address)
    const blocks = await Promise.all(Array.from({ length: 70 }, async (_, i) => await makeBlock(100 + i, i + 1)))
    for (const [i, block] of blocks.entries()) if (i % 3 === 0) await host.store!.put(block.cid, block.bytes)
    const held = await client.node.heldBy(hostId, blocks.map(b => b.cid))
    expect(held).toEqual(blocks.map((_, i) => i % 3 === 0))
    await expect(client.node.heldBy('nobody', [blocks[0]!.cid])).rejects.toThrow(UnavailableError)
  })
})
