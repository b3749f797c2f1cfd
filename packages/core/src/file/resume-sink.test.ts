import { describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { addFile } from './add.js'
import { resumingSink } from './resume-sink.js'
import { pieces } from '../../test/support/file.js'
import type { BlockSink } from './put-queue.js'

const MiB = 1024 * 1024

/** A sink that records the ids put into it, in order. */
function recordingSink (): { sink: BlockSink, ids: BlockId[] } {
  const ids: BlockId[] = []
  return { ids, sink: { async put (id) { ids.push(id); return { copies: 1 } } } }
}

describe('resumingSink', () => {
  const bytes = testBytes(3 * MiB + 5, 3)
  const meta = { name: 'r.bin', mtime: 1 }
  // A journal holds a fresh key and content salt from the first attempt on.
  const resume = { key: testBytes(16, 1), salt: testBytes(24, 2) }

  it('journals every block before sending it; a resumed add skips content blocks held, and gets the same root', async () => {
    const journal = { previous: [] as BlockId[], recorded: [] as BlockId[], async record (id: BlockId) { this.recorded.push(id) } }
    const first = recordingSink()
    const added = await addFile(pieces(bytes, 70_000), meta, resumingSink(first.sink, journal, { held: new Set(), onSkipped: () => {}, changed: () => new Error('changed') }), { concurrency: 1, resume })
    expect(journal.recorded.map(String)).toEqual(first.ids.map(String))

    // The earlier attempt got as far as its first 2 blocks; the host holds them.
    const previous = journal.recorded.slice(0, 2)
    const again = { previous, recorded: [] as BlockId[], async record (id: BlockId) { this.recorded.push(id) } }
    const second = recordingSink()
    let skipped = 0
    const resumed = await addFile(pieces(bytes, 70_000), meta, resumingSink(second.sink, again, {
      held: new Set(previous.map(String)), onSkipped: n => { skipped += n }, changed: () => new Error('changed')
    }), { concurrency: 1, resume })
    expect(resumed.root.toString()).toBe(added.root.toString())
    expect(skipped).toBe(2 * MiB)
    expect(second.ids.map(String)).toEqual(first.ids.slice(2).map(String))
    expect(again.recorded.map(String)).toEqual(first.ids.slice(2).map(String))
  })

  it('stops before sending a block that differs from the journaled one (the input changed)', async () => {
    const store = new MemoryBlockStore()
    await addFile(pieces(bytes, 70_000), meta, store, { concurrency: 1, resume })
    const other = bytes.slice()
    other[MiB + 10] = (other[MiB + 10] ?? 0) ^ 1
    const previous = [...(await recordAll(bytes, resume))]
    const sent = recordingSink()
    const run = addFile(pieces(other, 70_000), meta, resumingSink(sent.sink, { previous, record: async () => {} }, {
      held: new Set(), onSkipped: () => {}, changed: () => new Error('changed')
    }), { concurrency: 1, resume })
    await expect(run).rejects.toThrow('changed')
    expect(sent.ids.map(String)).toEqual(previous.slice(0, 1).map(String))
  })
})

async function recordAll (bytes: Uint8Array, resume: { key: Uint8Array, salt: Uint8Array }): Promise<BlockId[]> {
  const { sink, ids } = recordingSink()
  await addFile(pieces(bytes, 70_000), { name: 'r.bin', mtime: 1 }, sink, { concurrency: 1, resume })
  return ids
}
