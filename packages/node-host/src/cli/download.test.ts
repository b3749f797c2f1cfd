import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addFile, openFile, type OpenedFile, type ReadInit } from '@cairn/core'
import { BLOCK_PLAINTEXT } from '@cairn/core/crypto'
import { MemoryBlockStore, testBytes } from '@cairn/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { copyToSink, fillPartFile, WRITES_BEHIND } from './download.js'
import type { OutputSink } from './output-file.js'
import { PartFile } from './part-file.js'

const dirs: string[] = []
afterEach(async () => { for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true }) })

async function stored (size: number, seed: number): Promise<{ file: OpenedFile, bytes: Uint8Array }> {
  const store = new MemoryBlockStore()
  const bytes = testBytes(size, seed)
  const added = await addFile((async function * () { yield bytes })(), { name: 'f.bin' }, store)
  return { file: await openFile(added.link, store), bytes }
}

const later = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 2)) }

/**
 * Writes that take a while, as a disk's do, and take their bytes only when they finish (as a
 * write system call in the thread pool copies them then): a piece whose memory the read
 * reused while its write was in flight arrives wrong.
 */
function slowWrites (): { write: (chunks: readonly Uint8Array[]) => Promise<Uint8Array[]>, most: () => number, inFlight: () => number } {
  let inFlight = 0
  let most = 0
  return {
    most: () => most,
    inFlight: () => inFlight,
    async write (chunks) {
      most = Math.max(most, ++inFlight)
      await later()
      inFlight--
      return chunks.map(chunk => chunk.slice())
    }
  }
}

describe('get writes behind the read', () => {
  it('copyToSink keeps several writes in flight, each piece intact until written, while every block fetched ahead is opened as it arrives', async () => {
    const stored3 = await stored(9 * BLOCK_PLAINTEXT + 4321, 3)
    const bytes = stored3.bytes
    const reads: ReadInit[] = []
    const file: OpenedFile = { ...stored3.file, read: (init) => { reads.push(init ?? {}); return stored3.file.read(init) } }
    const slow = slowWrites()
    const written: Uint8Array[] = []
    const sink: OutputSink = {
      write: async (chunks) => { written.push(...await slow.write(chunks)) },
      commit: async () => undefined,
      abort: async () => {}
    }
    const at = { written: 0 }
    let reported = 0
    await copyToSink(file, sink, at, { signal: new AbortController().signal, readAhead: 4, onBytes: (n) => { reported += n } })
    expect(Buffer.concat(written).equals(bytes)).toBe(true)
    expect(at.written).toBe(bytes.length)
    expect(reported).toBe(bytes.length)
    expect(slow.most()).toBeGreaterThan(1)
    expect(slow.most()).toBeLessThanOrEqual(WRITES_BEHIND + 1)
    expect(reads.map(init => [init.readAhead, init.adaptive, init.openAhead, init.recycle, init.held])).toEqual([[4, true, 4, true, WRITES_BEHIND]])
  })

  it('fillPartFile keeps several writes in flight and records each block once written; a failure waits for them and leaves the rest to fetch', async () => {
    const { file, bytes } = await stored(8 * BLOCK_PLAINTEXT + 99, 4)
    const dir = await mkdtemp(join(tmpdir(), 'cairn-download-'))
    dirs.push(dir)
    const path = join(dir, 'out.bin')
    const slow = slowWrites()
    const open = async (failAt?: number): Promise<PartFile> => {
      const part = await PartFile.open({ path, root: file.root, check: async (index, plaintext) => await file.matchesBlock(index, plaintext), size: bytes.length })
      const write = part.write.bind(part)
      let writes = 0
      part.write = async (position, chunks) => {
        if (++writes === failAt) {
          await later()
          throw new Error('disk full')
        }
        await write(position, await slow.write(chunks))
      }
      return part
    }
    const init = { signal: new AbortController().signal, readAhead: 4, onBytes: () => {} }

    const first = await open(5) // block 4's write fails
    await expect(fillPartFile(file, first, init)).rejects.toThrow('disk full')
    // Nothing is still writing. Every block whose write succeeded is recorded: those before the
    // failed one, and the WRITES_BEHIND started after it before its failure was seen (when it
    // became the oldest of more than WRITES_BEHIND in flight); the failed one and the rest are not.
    expect(slow.inFlight()).toBe(0)
    expect(first.missing()).toEqual([{ first: 4, last: 4 }, { first: 5 + WRITES_BEHIND, last: 8 }])
    const done = Array.from({ length: first.blocks }, (_, i) => first.isDone(i)).filter(Boolean).length
    await first.keep()

    const second = await open()
    expect(second.resumedBytes).toBe(done * BLOCK_PLAINTEXT) // what was recorded checks out on resume
    await fillPartFile(file, second, init)
    await second.commit()
    expect((await readFile(path)).equals(bytes)).toBe(true)
    expect(slow.most()).toBeGreaterThan(1)
    expect(slow.most()).toBeLessThanOrEqual(WRITES_BEHIND + 1)
  })
})
