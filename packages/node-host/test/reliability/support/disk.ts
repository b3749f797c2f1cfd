/**
 * Looking at a host's data dir from outside, independently of FsBlockStore:
 * which files sit under final block names, which are temp files, and whether
 * each block re-hashes to its id.
 */
import { createHash } from 'node:crypto'
import { open, readFile, readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parseBlockId } from '@cairn/core'

const BLOCK_NAME = /^bafkrei[a-z2-7]{52}$/
const RECORD_NAME = /^(bafkrei[a-z2-7]{52})\.rec$/

export interface BlockFile { id: string, path: string, size: number }

export interface BlockDirScan {
  /** Files under a final block name (`<shard>/<cid>`). */
  blocks: BlockFile[]
  /** Ids of the blocks with a record file (`<shard>/<cid>.rec`), whether the block is there or not. */
  records: string[]
  /** Leftover `.tmp-` files (from interrupted writes). */
  temp: string[]
  /** Anything else inside a shard. */
  strays: string[]
  /** Files in `quarantine/`. */
  quarantined: string[]
}

async function entries (dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

/** Scan `<data>/blocks` (or any FsBlockStore dir). */
export async function scanBlocks (blocksDir: string): Promise<BlockDirScan> {
  const scan: BlockDirScan = { blocks: [], records: [], temp: [], strays: [], quarantined: [] }
  for (const shard of await entries(blocksDir)) {
    if (shard === 'quarantine') {
      scan.quarantined.push(...await entries(join(blocksDir, shard)))
      continue
    }
    for (const name of await entries(join(blocksDir, shard))) {
      const path = join(blocksDir, shard, name)
      const record = RECORD_NAME.exec(name)
      if (BLOCK_NAME.test(name)) scan.blocks.push({ id: name, path, size: (await stat(path)).size })
      else if (record !== null) scan.records.push(record[1]!)
      else if (name.startsWith('.tmp-')) scan.temp.push(path)
      else scan.strays.push(path)
    }
  }
  scan.blocks.sort((a, b) => b.size - a.size || a.id.localeCompare(b.id))
  return scan
}

/** True if the file's bytes hash to the id it is named after. */
export async function rehashes (file: BlockFile): Promise<boolean> {
  const digest = createHash('sha256').update(await readFile(file.path)).digest()
  return Buffer.from(parseBlockId(file.id).multihash.digest).equals(digest)
}

/** Block files whose bytes do not hash to their name. */
export async function badBlocks (files: BlockFile[]): Promise<string[]> {
  const bad = []
  for (const file of files) if (!await rehashes(file)) bad.push(file.id)
  return bad
}

/** Flip bit `bit` (0 = lowest bit of the first byte) of a file, in place. */
export async function flipBit (path: string, bit: number): Promise<void> {
  const fh = await open(path, 'r+')
  try {
    const at = Math.floor(bit / 8)
    const one = Buffer.alloc(1)
    await fh.read(one, 0, 1, at)
    one[0] = one[0]! ^ (1 << (bit % 8))
    await fh.write(one, 0, 1, at)
  } finally {
    await fh.close()
  }
}

/** Every path under `root` (relative), for "nothing outside was touched" checks. */
export async function tree (root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      out.push(relative(root, path))
      if (entry.isDirectory()) await walk(path)
    }
  }
  await walk(root)
  return out.sort()
}
