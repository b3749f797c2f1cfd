import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { StorageFullError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { MemoryBlockStore } from '../store/memory.js'
import { memoryPair } from '../transport/memory.js'
import type { BackgroundFailures } from '../wire/messages.js'
import type { BackgroundFailure } from './failures.js'
import { fullMesh, makeBlock, nextEvent, rawConnect, rawHandshake, TestMesh, withMaxFrameSize } from '../../test/support/mesh.js'

/*
 * Work nobody awaits must not fail silently: each failure is counted per kind
 * in status().backgroundFailures (also over the wire, in `info`) and
 * dispatched as a `background:failure` event.
 */

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

const NONE: BackgroundFailures = { repair: 0, restore: 0, cache: 0, send: 0, serve: 0, address: 0, audit: 0, gc: 0 }

/** A store whose block listing fails, as a disk store's might. */
class UnlistableStore extends MemoryBlockStore {
  // eslint-disable-next-line require-yield
  override async * ids (_options?: AbortOptions): AsyncIterable<BlockId> {
    throw new Error('disk unreadable')
  }
}

/** A store that refuses every put: it is full. */
class FullStore extends MemoryBlockStore {
  override async put (): Promise<void> {
    throw new StorageFullError('quota reached')
  }
}

/** A store whose reads fail with an untyped error (a bug, or a broken disk). */
class BrokenReadStore extends MemoryBlockStore {
  override async get (): Promise<Uint8Array> {
    throw new TypeError('cannot read properties of undefined')
  }
}

describe('background failures', () => {
  it('a repair pass nobody awaits that fails is counted and reported, also in the status a client asks for', async () => {
    mesh = new TestMesh()
    const a = await mesh.host({ store: new UnlistableStore() })
    const failure = nextEvent<BackgroundFailure>(a.node, 'background:failure')
    const b = await mesh.host()
    await b.node.dial(a.address) // a host joining schedules a pass on both
    expect(await failure).toEqual({ kind: 'repair', code: 'ERR_INTERNAL', message: 'disk unreadable' })
    const status = await a.node.status()
    expect(status.backgroundFailures?.repair).toBeGreaterThanOrEqual(1)
    expect({ ...status.backgroundFailures, repair: 0 }).toEqual(NONE)
    const client = await mesh.add('client')
    await client.node.dial(a.address)
    const remote = await client.node.requestStatus(a.node.peerId)
    expect(remote.backgroundFailures?.repair).toBeGreaterThanOrEqual(1)
    expect((await b.node.status()).backgroundFailures).toEqual(NONE)
  })

  it('a corrupt block that cannot be fetched back is counted as a failed restore', async () => {
    mesh = new TestMesh()
    const store = new MemoryBlockStore()
    const block = await makeBlock(500, 1)
    await store.put(block.cid, block.bytes)
    const host = await mesh.host({ store })
    const failure = nextEvent<BackgroundFailure>(host.node, 'background:failure')
    host.node.reportCorrupt(block.cid) // no other host has it
    expect(await failure).toMatchObject({ kind: 'restore', code: 'ERR_UNAVAILABLE' })
    expect((await host.node.status()).backgroundFailures).toEqual({ ...NONE, restore: 1 })
    expect((await host.node.status()).underReplicated).toBe(0) // as of the last pass; the next one counts it
    expect(await host.node.repair()).toMatchObject({ underReplicated: 1 })
    const after = (await host.node.status()).backgroundFailures
    expect(after?.restore).toBeGreaterThanOrEqual(2) // retried by the pass (and its follow-ups), failed again
    expect({ ...after, restore: 0 }).toEqual(NONE)
  })

  it('a fetched block the local store cannot keep is still returned, and the failed cache write counted', async () => {
    mesh = new TestMesh()
    const a = await mesh.host()
    const b = await mesh.host({ store: new FullStore() })
    await fullMesh([a, b])
    const block = await makeBlock(500, 2)
    await a.store!.put(block.cid, block.bytes)
    const failure = nextEvent<BackgroundFailure>(b.node, 'background:failure')
    expect(await b.node.getBlock(block.cid)).toEqual(block.bytes)
    expect(await failure).toEqual({ kind: 'cache', code: 'ERR_STORAGE_FULL', message: 'quota reached' })
    expect((await b.node.status()).backgroundFailures?.cache).toBe(1)
  })

  it('a request whose handler fails with an untyped error is answered ERR_INTERNAL and counted', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ store: new BrokenReadStore() })
    const raw = await rawConnect(mesh, host.address, { role: 'client' })
    const block = await makeBlock(100, 3)
    const failure = nextEvent<BackgroundFailure>(host.node, 'background:failure')
    await raw.send({ t: 'want', id: 1, cid: block.cid.bytes })
    expect(await raw.nextMatching(m => m.t === 'error')).toMatchObject({ id: 1, code: 'ERR_INTERNAL' })
    expect(await failure).toMatchObject({ kind: 'serve', code: 'ERR_INTERNAL' })
    expect((await host.node.status()).backgroundFailures?.serve).toBe(1)
  })

  it('an unawaited send that cannot go out is counted; a connection closing is not a failure', async () => {
    mesh = new TestMesh()
    // Eight servers of four long URLs: a valid `ice` list far larger than the tab's 4 KiB frames.
    const url = (i: number, j: number): string => `stun:${'s'.repeat(200)}${i}-${j}.example.org:3478`
    const iceServers = Array.from({ length: 8 }, (_, i) => ({ urls: Array.from({ length: 4 }, (_, j) => url(i, j)) }))
    const host = await mesh.host({ iceServers })
    const [ours, theirs] = memoryPair()
    const failure = nextEvent<BackgroundFailure>(host.node, 'background:failure')
    const accepted = host.node.accept(withMaxFrameSize(theirs, 4096))
    const tab = await rawHandshake(ours, { role: 'browser' })
    await accepted
    expect(await failure).toMatchObject({ kind: 'send', code: 'ERR_FRAME_TOO_LARGE' })
    // Tabs leaving while the host gossips to them fail sends with ERR_CONNECTION_CLOSED: expected, not counted.
    tab.conn.close('gone')
    for (let i = 0; i < 3; i++) {
      const other = await rawConnect(mesh, host.address, { role: 'browser' })
      other.conn.close('gone')
    }
    const b = await mesh.host()
    await fullMesh([host, b])
    expect((await host.node.status()).backgroundFailures).toEqual({ ...NONE, send: 1 })
  })

  it('failures of work that is awaited are not counted: a failed put reaches its caller', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ store: new FullStore(), writeQuorum: 1 })
    const block = await makeBlock(100, 4)
    await expect(host.node.putBlock(block.cid, block.bytes, { replicas: 1 })).rejects.toMatchObject({ code: 'ERR_REPLICATION' })
    expect((await host.node.status()).backgroundFailures).toEqual(NONE)
  })
})
