/** Reading whole files through an in-process mesh node, with a hook per fetched block. */
import { createHash } from 'node:crypto'
import { openFile } from '@cairn/core'
import type { BlockId, Mesh } from '@cairn/core'

export interface ReadInit {
  /** Called after each block arrived (verified), with the count so far. */
  onBlock?: (count: number, cid: BlockId) => void
  signal?: AbortSignal
  readAhead?: number
}

/** Fetch, verify and decrypt `link` through `mesh`; resolves with the plaintext's sha256 (hex). */
export async function readDigest (mesh: Mesh, link: string, init: ReadInit = {}): Promise<{ digest: string, size: number }> {
  let count = 0
  const getBlock = async (cid: BlockId, opts?: { signal?: AbortSignal }): Promise<Uint8Array> => {
    const signal = opts?.signal ?? init.signal
    const bytes = await mesh.getBlock(cid, signal === undefined ? {} : { signal })
    init.onBlock?.(++count, cid)
    return bytes
  }
  const file = await openFile(link, getBlock, init.signal === undefined ? {} : { signal: init.signal })
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of file.read({ readAhead: init.readAhead ?? 8, ...(init.signal === undefined ? {} : { signal: init.signal }) })) {
    hash.update(chunk)
    size += chunk.length
  }
  return { digest: hash.digest('hex'), size }
}
