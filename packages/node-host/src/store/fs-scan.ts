import { opendir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isBlockName, isShardName, isTempName, recordOwner } from './fs-layout.js'

export interface ScanResult {
  blocks: number
  bytes: number
  /** Shard directories that exist. */
  shards: Set<string>
  /** Leftover temp files removed (from writes a crash interrupted). */
  removedTemp: number
  /** Records without their block removed (a crash between writing the two, or during a delete). */
  removedRecords: number
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

/**
 * Count blocks and bytes, and remove temp files left by interrupted writes
 * and records whose block is not there.
 */
export async function scanStore (root: string): Promise<ScanResult> {
  const result: ScanResult = { blocks: 0, bytes: 0, shards: new Set(), removedTemp: 0, removedRecords: 0 }
  for await (const shard of shardNames(root)) {
    result.shards.add(shard)
    const blocks = new Set<string>()
    const records: string[] = []
    for await (const entry of await opendir(join(root, shard))) {
      const path = join(root, shard, entry.name)
      if (isTempName(entry.name)) {
        await rm(path, { force: true })
        result.removedTemp++
      } else if (entry.isFile() && isBlockName(entry.name, shard)) {
        blocks.add(entry.name)
        result.blocks++
        result.bytes += (await stat(path)).size
      } else if (entry.isFile() && recordOwner(entry.name, shard) !== undefined) {
        records.push(entry.name)
      }
    }
    for (const name of records) {
      if (blocks.has(recordOwner(name, shard)!)) continue
      await rm(join(root, shard, name), { force: true })
      result.removedRecords++
    }
  }
  return result
}
