import { open, rename, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { StorageFullError } from '@cairn/core'

/** errno codes that mean "no room": a full disk or an exhausted quota. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT'])

export function isDiskFull (err: unknown): boolean {
  return DISK_FULL.has((err as NodeJS.ErrnoException | null)?.code ?? '')
}

/**
 * Write `bytes` to `tmp` (created exclusively), flush it to disk, then rename
 * it to `final`: a reader sees the whole block under its final name or
 * nothing. On failure the temp file is removed; a full disk becomes
 * `StorageFullError`.
 */
export async function writeAtomic (tmp: string, final: string, bytes: Uint8Array, durable: boolean): Promise<void> {
  let fh: FileHandle | undefined
  try {
    fh = await open(tmp, 'wx', 0o644)
    await fh.writeFile(bytes)
    if (durable) await fh.sync()
    await fh.close()
    fh = undefined
    await rename(tmp, final)
  } catch (err) {
    // Cleanup after a failed write: `err` below is what the caller gets; a
    // leftover temp file is removed when the store next opens.
    await fh?.close().catch(() => {})
    await rm(tmp, { force: true }).catch(() => {})
    if (isDiskFull(err)) throw new StorageFullError(`no space left to store ${final}`, { cause: err })
    throw err
  }
}

/** fsync a directory, so a rename or a new entry in it survives a crash. */
export async function syncDir (dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
