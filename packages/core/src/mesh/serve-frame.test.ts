import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryBlockStore } from '../store/memory.js'
import type { StoreGetOptions } from '../store/block-store.js'
import type { BlockId } from '../block/id.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { UnavailableError } from '../errors.js'
import { decodeMessage } from '../wire/codec.js'
import { Peer } from './peer.js'
import { LyingStore, makeBlock, sameBytes, TestMesh, type TestNode } from '../../test/support/mesh.js'

/** A memory store that remembers the buffers it returned. */
class WatchedStore extends MemoryBlockStore {
  readonly returned: Uint8Array[] = []
  override async get (id: BlockId, options?: StoreGetOptions): Promise<Uint8Array> {
    const bytes = await super.get(id, options)
    this.returned.push(bytes)
    return bytes
  }
}

let mesh: TestMesh
afterEach(async () => {
  vi.restoreAllMocks()
  await mesh.stopAll()
})

/** Every frame a peer sends, from here on. */
function sentFrames (): Uint8Array[] {
  const frames: Uint8Array[] = []
  const original = Peer.prototype.sendFrame
  vi.spyOn(Peer.prototype, 'sendFrame').mockImplementation(async function (this: Peer, frame: Uint8Array) {
    frames.push(frame)
    await original.call(this, frame)
  })
  return frames
}

/** A host holding one block of `size` bytes in `store`, a client connected to it, and the frames peers send from then on. */
async function serving (store: MemoryBlockStore, size: number, maxFrameSize?: number): Promise<{ client: TestNode, block: { cid: BlockId, bytes: Uint8Array }, frames: Uint8Array[] }> {
  mesh = new TestMesh(maxFrameSize === undefined ? {} : { maxFrameSize })
  const host = await mesh.host({ store })
  const block = await makeBlock(size, size % 251)
  await store.put(block.cid, block.bytes)
  const client = await mesh.add('client')
  await client.node.dial(host.address)
  return { client, block, frames: sentFrames() }
}

describe('serving a block', () => {
  it('sends a block that fits one frame in the buffer the store read it into: one buffer, no copy to frame it', async () => {
    const store = new WatchedStore()
    const { client, block, frames } = await serving(store, MAX_BLOCK_SIZE)
    expect(sameBytes(await client.node.getBlock(block.cid), block.bytes)).toBe(true)
    const read = store.returned.at(-1)!
    const framed = frames.find((frame) => frame.buffer === read.buffer)
    expect(framed).toBeDefined()
    expect(read.byteOffset).toBeGreaterThan(0) // behind the frame's header
    expect(framed!.byteLength).toBeGreaterThan(read.byteLength)
    const msg = decodeMessage(framed!)
    expect(msg.t).toBe('block')
    expect(sameBytes((msg as { data: Uint8Array }).data, block.bytes)).toBe(true)
  })

  it('sends a block in parts, as before, where it does not fit one frame', async () => {
    const { client, block, frames } = await serving(new WatchedStore(), 200_000, 64 * 1024)
    expect(sameBytes(await client.node.getBlock(block.cid), block.bytes)).toBe(true)
    const parts = frames.map((frame) => decodeMessage(frame)).filter((msg) => msg.t === 'block')
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.every((part) => (part as { total: number }).total === block.bytes.length)).toBe(true)
  })

  it('a store that ignores into still serves its own bytes (here: lying ones, which the reader rejects)', async () => {
    const { client, block, frames } = await serving(new LyingStore(), 4096)
    await expect(client.node.getBlock(block.cid, { signal: AbortSignal.timeout(10_000) })).rejects.toThrow(UnavailableError)
    const sent = frames.map((frame) => decodeMessage(frame)).find((msg) => msg.t === 'block') as { data: Uint8Array } | undefined
    expect(sent).toBeDefined()
    expect(sent!.data[0]).toBe(block.bytes[0]! ^ 0xff)
  })
})
