/**
 * The copy loops of `get`: plaintext from an opened file into a part file
 * (only the blocks it lacks, each recorded once written) or into a stream
 * (from where it stopped). Both write each piece the read yields (one per
 * block, ~1 MiB) in one system call and wait for it to be written before
 * asking for the next: the read recycles its plaintext buffers (a few, not a
 * fresh MiB per block), so a piece is valid only until then. Either can be
 * called again after a failure and continues where the last call stopped.
 */
import type { Hmac } from 'node:crypto'
import type { OpenedFile } from '@cairn/core'
import type { OutputSink } from './output-file.js'
import type { BlockRun, PartFile } from './part-file.js'

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
  let mac = part.mac(index)
  let blockEnd = part.range(index).end
  let position = start
  let batch: Uint8Array[] = []
  let batchStart = start
  let finished: Array<{ index: number, mac: Hmac }> = []
  const nextBlock = (): void => {
    finished.push({ index, mac })
    if (++index > run.last) return
    mac = part.mac(index)
    blockEnd = part.range(index).end
  }
  const flush = async (): Promise<void> => {
    if (batch.length > 0) await part.write(batchStart, batch)
    init.onBytes(position - batchStart)
    batch = []
    batchStart = position
    // Recorded only now that their bytes are written.
    await part.markDone(finished)
    finished = []
  }
  for await (const chunk of file.read({ offset: start, length: end - start, signal: init.signal, readAhead: init.readAhead, recycle: true })) {
    // A read yields at most one piece per block, cut at block boundaries: a piece never spans two blocks.
    mac.update(chunk)
    batch.push(chunk)
    position += chunk.length
    if (position === blockEnd) nextBlock()
    await flush() // the read reuses `chunk`'s memory once asked for the next piece
  }
  // A file whose size is a multiple of 1 MiB ends with a block holding no plaintext.
  while (index <= run.last && blockEnd === position) nextBlock()
  if (index <= run.last) throw new Error(`read of blocks ${run.first}–${run.last} ended at byte ${position}`)
  await flush()
}

/** Copy the plaintext from byte `at.written` on into `sink`, advancing `at.written` with each write. */
export async function copyToSink (file: OpenedFile, sink: OutputSink, at: { written: number }, init: CopyInit): Promise<void> {
  let batch: Uint8Array[] = []
  let batched = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    await sink.write(batch)
    at.written += batched
    init.onBytes(batched)
    batch = []
    batched = 0
  }
  for await (const chunk of file.read({ offset: at.written, signal: init.signal, readAhead: init.readAhead, recycle: true })) {
    batch.push(chunk)
    batched += chunk.length
    await flush() // the sink has written it: the read may reuse its memory
  }
  await flush()
}
