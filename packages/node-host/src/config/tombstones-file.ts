/**
 * `<data>/tombstones.json`: a host's verified tombstones (owner secrets of
 * removed files, see core mesh/tombstones.ts), so a restarted host still hands
 * them to a host that was down during the removal.
 *
 *   { "v": 1, "tombstones": [ { "tag": "<hex SHA-256>", "secret": "<base64url>", "seen": <ms> }, … ] }
 *
 * Written whole (temp file + fsync + rename, mode 0600) before a removal is
 * confirmed and after a GC pass that changed them. At most MAX_KEPT_TOMBSTONES
 * (about 8 MiB). Everything read is checked: a malformed entry is left out; an
 * unreadable file is reported (`warn`) and the host starts without tombstones.
 */
import { readFile } from 'node:fs/promises'
import { MAX_KEPT_TOMBSTONES, OWNER_SECRET_LENGTH, type SavedTombstone, type TombstoneStore } from '@cairn/core'
import { writePrivateFile, type DataDirPaths } from './data-dir.js'

/** Larger files are not read (MAX_KEPT_TOMBSTONES entries take about 8 MiB). */
const MAX_FILE_BYTES = 16 * 1024 * 1024
const TAG = /^[0-9a-f]{64}$/

export class FileTombstoneStore implements TombstoneStore {
  constructor (private readonly paths: DataDirPaths, private readonly warn: (line: string) => void) {}

  async load (): Promise<SavedTombstone[]> {
    let text: string
    try {
      const bytes = await readFile(this.paths.tombstones)
      if (bytes.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`)
      text = bytes.toString('utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      this.warn(`cannot read ${this.paths.tombstones}, starting without tombstones: ${(err as Error).message}`)
      return []
    }
    let list: unknown
    try {
      list = (JSON.parse(text) as { tombstones?: unknown }).tombstones
    } catch (err) {
      this.warn(`${this.paths.tombstones} is not JSON, starting without tombstones: ${(err as Error).message}`)
      return []
    }
    if (!Array.isArray(list)) return []
    const out: SavedTombstone[] = []
    for (const entry of list.slice(-MAX_KEPT_TOMBSTONES)) {
      const t = parse(entry)
      if (t !== undefined) out.push(t)
    }
    if (out.length < list.length) this.warn(`left out ${list.length - out.length} malformed or surplus tombstones of ${this.paths.tombstones}`)
    return out
  }

  async save (tombstones: SavedTombstone[]): Promise<void> {
    const list = tombstones.map(t => ({ tag: t.tag, secret: Buffer.from(t.secret).toString('base64url'), seen: t.seen }))
    await writePrivateFile(this.paths.tombstones, JSON.stringify({ v: 1, tombstones: list }))
  }
}

function parse (entry: unknown): SavedTombstone | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined
  const { tag, secret, seen } = entry as Record<string, unknown>
  if (typeof tag !== 'string' || !TAG.test(tag) || typeof secret !== 'string' || typeof seen !== 'number' || !Number.isFinite(seen)) return undefined
  const bytes = Buffer.from(secret, 'base64url')
  if (bytes.length !== OWNER_SECRET_LENGTH) return undefined
  return { tag, secret: new Uint8Array(bytes), seen }
}
