/**
 * The copy loops of `get`: plaintext from an opened file into a part file
 * (only the blocks it lacks, each recorded once written) or into a stream
 * (from where it stopped). Both write each piece the read yields (one per
 * block, ~1 MiB) in one system call, behind the read: the writes of the last
 * WRITES_BEHIND pieces (and the current one's) in flight while the next blocks
 * are fetched and opened. The read recycles its plaintext buffers (a few, not
 * a fresh MiB per block) and keeps a piece valid until WRITES_BEHIND + 1 later
 * ones were asked for, by when its write has finished. Every block fetched
 * ahead is opened as it arrives. Either can be called again after a failure
 * and continues where the last call stopped: a failure waits for the writes
 * in flight, and only written bytes count.
 */
import type { OpenedFile, ReadInit } from '@cairn/core'
import type { OutputSink } from './output-file.js'
import type { BlockRun, PartFile } from './part-file.js'
import { WriteBehind } from './write-behind.js'

/**
 * Writes of earlier pieces left in flight while the next block is asked for
 * (the read keeps that many pieces valid after handing on the next: `held`).
 */
export const WRITES_BEHIND = 3

/**
 * How a get reads: up to `readAhead` blocks requested ahead, as many as the
 * path's latency needs (`adaptive`); every one opened as soon as it arrives
 * (`openAhead`), so the main thread opens blocks while a write of earlier
 * ones is still in flight and no block's ciphertext waits for the reader;
 * the opened blocks wait in reused buffers (`recycle`).
 */
function readInit (init: CopyInit): ReadInit {
  return { signal: init.signal, readAhead: init.readAhead, adaptive: true, openAhead: init.readAhead, recycle: true, held: WRITES_BEHIND }
}

export interface CopyInit {
  signal: AbortSignal
  readAhead: number
  /** Plaintext bytes just written (an increment). */
  onBytes: (n: number) => void
}

/** Fetch every block `part` still lacks. */
export async function fillPartFile (file: OpenedFile, part: PartFile, init: CopyInit): Promise<void> {
  for (const run of part.missing()) await fillRun(file, part, run, init)
}

async function fillRun (file: OpenedFile, part: PartFile, run: BlockRun, init: CopyInit): Promise<void> {
  const start = part.range(run.first).start
  const end = part.range(run.last).end
  let index = run.first
  let blockEnd = part.range(index).end
  let position = start
  let finished: number[] = []
  const nextBlock = (): void => {
    finished.push(index)
    if (++index > run.last) return
    blockEnd = part.range(index).end
  }
  const writeOut = async (at: number, chunk: Uint8Array | undefined, blocks: number[]): Promise<void> => {
    if (chunk !== undefined) await part.write(at, [chunk])
    await part.markDone(blocks) // recorded only now that their bytes are written
    init.onBytes(chunk?.length ?? 0)
  }
  const writes = new WriteBehind(WRITES_BEHIND)
  try {
    for await (const chunk of file.read({ offset: start, length: end - start, ...readInit(init) })) {
      // A read yields at most one piece per block, cut at block boundaries: a piece never spans two blocks.
      const at = position
      position += chunk.length
      if (position === blockEnd) nextBlock()
      const blocks = finished
      finished = []
      await writes.add(async () => { await writeOut(at, chunk, blocks) })
    }
    // A file whose size is a multiple of 1 MiB ends with a block holding no plaintext.
    while (index <= run.last && blockEnd === position) nextBlock()
    if (index <= run.last) throw new Error(`read of blocks ${run.first}–${run.last} ended at byte ${position}`)
    await writes.finish()
    await writeOut(position, undefined, finished)
  } finally {
    await writes.settle()
  }
}

/** Copy the plaintext from byte `at.written` on into `sink`, advancing `at.written` as each write completes. */
export async function copyToSink (file: OpenedFile, sink: OutputSink, at: { written: number }, init: CopyInit): Promise<void> {
  const writes = new WriteBehind(WRITES_BEHIND)
  // A sink completes its writes in order, and once one fails so do the rest (OutputSink):
  // at.written only ever advances over bytes written, with no gap. Checked anyway.
  let failed = false
  try {
    for await (const chunk of file.read({ offset: at.written, ...readInit(init) })) {
      await writes.add(async () => {
        try {
          await sink.write([chunk])
        } catch (err) {
          failed = true
          throw err
        }
        if (failed) return
        at.written += chunk.length
        init.onBytes(chunk.length)
      })
    }
    await writes.finish()
  } finally {
    await writes.settle()
  }
}
