/**
 * Where an `FsBlockStore` keeps things inside its directory:
 *
 *   <dir>/<shard>/<cid>                 a block; shard = the CID's last 2 characters
 *   <dir>/<shard>/<cid>.rec             its record (core `store/record.ts`), written before it
 *   <dir>/<shard>/.tmp-<cid>-<random>   a block being written (removed at open)
 *   <dir>/quarantine/<cid>.<time>       a block that failed its hash check
 *
 * Paths are only ever built from the canonical text form of a checked block
 * id (`blockKey`: `bafkrei` + 52 of [a-z2-7]), never from raw input.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

export const QUARANTINE_DIR = 'quarantine'
const TEMP_PREFIX = '.tmp-'
const RECORD_SUFFIX = '.rec'
const KEY_PATTERN = /^bafkrei[a-z2-7]{52}$/
const SHARD_PATTERN = /^[a-z2-7]{2}$/

export function shardOf (key: string): string {
  return key.slice(-2)
}

export function blockPath (root: string, key: string): string {
  return join(root, shardOf(key), key)
}

export function recordPath (root: string, key: string): string {
  return join(root, shardOf(key), key + RECORD_SUFFIX)
}

export function tempPath (root: string, key: string): string {
  return join(root, shardOf(key), `${TEMP_PREFIX}${key}-${randomBytes(6).toString('hex')}`)
}

export function quarantinePath (root: string, key: string): string {
  return join(root, QUARANTINE_DIR, `${key}.${Date.now()}-${randomBytes(3).toString('hex')}`)
}

export function isShardName (name: string): boolean {
  return SHARD_PATTERN.test(name)
}

export function isTempName (name: string): boolean {
  return name.startsWith(TEMP_PREFIX)
}

/** True if `name` is a block file that belongs in shard `shard`. */
export function isBlockName (name: string, shard: string): boolean {
  return KEY_PATTERN.test(name) && shardOf(name) === shard
}

/** The block a record file in shard `shard` belongs to, if `name` is one. */
export function recordOwner (name: string, shard: string): string | undefined {
  if (!name.endsWith(RECORD_SUFFIX)) return undefined
  const key = name.slice(0, -RECORD_SUFFIX.length)
  return isBlockName(key, shard) ? key : undefined
}
