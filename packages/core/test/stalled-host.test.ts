/**
 * A host whose disk stalls: it stays connected and answers pings, but its
 * `put`s never finish. Writes placed on it must still complete with the
 * other copies (W = 2 of R = 3) in bounded time, however many there are.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../src/block/id.js'
import { MemoryBlockStore } from '../src/store/memory.js'
import { TestMesh, fullMesh, makeBlock } from './support/mesh.js'

/** A store whose writes never complete (a hung disk). */
class StalledStore extends MemoryBlockStore {
  override async put (_id: BlockId, _bytes: Uint8Array): Promise<void> {
    await new Promise(() => {})
  }
}

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

describe('a host with a stalled disk', () => {
  it('does not wedge puts once more than a push window of copies to it timed out', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host({ putTimeout: 100 }), await mesh.host(), await mesh.host({ store: new StalledStore() })]
    await fullMesh(hosts)
    const started = performance.now()
    for (let seed = 1; seed <= 24; seed++) {
      const block = await makeBlock(500, seed)
      const put = hosts[0]!.node.putBlock(block.cid, block.bytes)
      const bound = new Promise<never>((_resolve, reject) => setTimeout(() => { reject(new Error(`put ${seed} did not settle within 2 s`)) }, 2_000))
      expect(await Promise.race([put, bound])).toEqual({ copies: 2 })
    }
    console.log(`stalled-host: 24 puts, each one copy short, in ${Math.round(performance.now() - started)} ms`)
  })
})
