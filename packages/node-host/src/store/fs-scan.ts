import { opendir, readdir, rm, stat } from 'node:fs/promises'
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

/**
 * Names of the shard directories under `root` (at most 1,024). Each listing
 * is one `readdir` (one fs-pool request), not an `opendir` plus a read per 32
 * entries plus a close: repair lists every shard on every pass (issue 12).
 */
export async function shardNames (root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true })
  return entries.filter(entry => entry.isDirectory() && isShardName(entry.name)).map(entry => entry.name)
}

/** Names of the block files in one shard (temp files, records and strays skipped); none if it is gone. */
export async function blockNames (root: string, shard: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(join(root, shard), { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  return entries.filter(entry => entry.isFile() && isBlockName(entry.name, shard)).map(entry => entry.name)
}

/**
 * Count blocks and bytes, and remove temp files left by interrupted writes
 * and records whose block is not there.
 */
export async function scanStore (root: string): Promise<ScanResult> {
  const result: ScanResult = { blocks: 0, bytes: 0, shards: new Set(), removedTemp: 0, removedRecords: 0 }
  for (const shard of await shardNames(root)) {
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
