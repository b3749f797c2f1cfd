/**
 * How much of an opened file this tab already holds. The mesh keeps every
 * block a tab fetches in its IndexedDB store (core `MeshNode.getBlock`), so a
 * download cut by a reload or a lost connection resumes by itself when the
 * link is opened again: those blocks are read locally, only the rest comes
 * from peers. This counts them up front, so the page can say "resumed at N%".
 */
import type { BlockId, OpenedFile } from '@cairn/core'

/** `has` calls in flight at once (IndexedDB lookups are cheap; keep the queue short). */
const PROBES = 16

export interface LocalBlocks {
  /** Content blocks of the file already in the store. */
  held: number
  /** Content blocks in the file. */
  total: number
}

export async function countLocalBlocks (
  file: Pick<OpenedFile, 'blocks' | 'blockId'>,
  has: (id: BlockId) => Promise<boolean>,
  init: { signal?: AbortSignal } = {}
): Promise<LocalBlocks> {
  const options = init.signal === undefined ? {} : { signal: init.signal }
  let next = 0
  let held = 0
  const worker = async (): Promise<void> => {
    while (next < file.blocks) {
      init.signal?.throwIfAborted()
      const index = next++
      if (await has(await file.blockId(index, options))) held++
    }
  }
  await Promise.all(Array.from({ length: Math.min(PROBES, file.blocks) }, worker))
  return { held, total: file.blocks }
}
