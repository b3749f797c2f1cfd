import { opendir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isBlockName, isShardName, isTempName } from './fs-layout.js'

export interface ScanResult {
  blocks: number
  bytes: number
  /** Shard directories that exist. */
  shards: Set<string>
  /** Leftover temp files removed (from writes a crash interrupted). */
  removedTemp: number
}

/** Names of the shard directories under `root`. */
export async function * shardNames (root: string): AsyncGenerator<string> {
  for await (const entry of await opendir(root)) {
    if (entry.isDirectory() && isShardName(entry.name)) yield entry.name
  }
}

/** Names of the block files in one shard (temp files and strays skipped). */
export async function * blockNames (root: string, shard: string): AsyncGenerator<string> {
  let dir
  try {
    dir = await opendir(join(root, shard))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for await (const entry of dir) {
    if (entry.isFile() && isBlockName(entry.name, shard)) yield entry.name
  }
}

/** Count blocks and bytes, and remove temp files left by interrupted writes. */
export async function scanStore (root: string): Promise<ScanResult> {
  const result: ScanResult = { blocks: 0, bytes: 0, shards: new Set(), removedTemp: 0 }
  for await (const shard of shardNames(root)) {
    result.shards.add(shard)
    for await (const entry of await opendir(join(root, shard))) {
      const path = join(root, shard, entry.name)
      if (isTempName(entry.name)) {
        await rm(path, { force: true })
        result.removedTemp++
      } else if (entry.isFile() && isBlockName(entry.name, shard)) {
        result.blocks++
        result.bytes += (await stat(path)).size
      }
    }
  }
  return result
}
