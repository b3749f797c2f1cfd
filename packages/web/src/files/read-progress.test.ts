import type { OpenedFile, ReadInit } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { watchReads } from './read-progress.js'
import type { ReadState } from './read-progress.js'

/** A 10-byte file read in chunks of 4, failing at `failAt` if given. */
function fakeFile (failAt?: number): OpenedFile {
  return {
    name: 'f', type: '', size: 10, blocks: 1,
    async * read (init: ReadInit = {}) {
      for (let at = init.offset ?? 0; at < 10; at += 4) {
        if (failAt !== undefined && at >= failAt) throw new Error('gone')
        yield new Uint8Array(Math.min(4, 10 - at))
      }
    }
  } as unknown as OpenedFile
}

async function run (file: OpenedFile, init: ReadInit, stopAfter = Infinity): Promise<Array<[number, ReadState]>> {
  const seen: Array<[number, ReadState]> = []
  const watched = watchReads(file, (position, state) => { seen.push([position, state]) })
  let n = 0
  try {
    for await (const chunk of watched.read(init)) {
      void chunk
      if (++n >= stopAfter) break
    }
  } catch {}
  return seen
}

describe('watchReads', () => {
  it('reports each chunk and done at the end', async () => {
    expect(await run(fakeFile(), {})).toEqual([[0, 'running'], [4, 'running'], [8, 'running'], [10, 'running'], [10, 'done']])
  })

  it('counts from the read offset', async () => {
    expect(await run(fakeFile(), { offset: 6 })).toEqual([[6, 'running'], [10, 'running'], [10, 'done']])
  })

  it('says stopped when the reader gives up early, error when the read fails', async () => {
    expect((await run(fakeFile(), {}, 1)).at(-1)).toEqual([4, 'stopped'])
    expect((await run(fakeFile(4), {})).at(-1)).toEqual([4, 'error'])
  })
})
