/**
 * The files this user added: one JSON line per file, appended by `cairn put`,
 * read by `cairn ls` and `cairn rm`, in `<--data>/owned` when --data is given,
 * else `<state dir>/owned` (see `stateDir`), mode 0600 (it holds owner secrets).
 *
 *   {"v":1,"root","link","name","size","owner","replicas","expires"?,"added"}
 *
 * `owner` is the file's owner secret (base64url): whoever has it can remove
 * the file from the mesh. A removed file's line is dropped.
 */
import { mkdir, open, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { writePrivateFile } from '../config/index.js'
import { stateDir } from './put-journal.js'

const VERSION = 1

export interface OwnedFile {
  root: string
  link: string
  name: string
  size: number
  /** Owner secret, base64url. */
  owner: string
  /** The replica target asked for. */
  replicas: number
  /** ISO-8601, if the file expires. */
  expires?: string
  /** ISO-8601. */
  added: string
}

/** `<data>/owned` when --data was given on the command line, else `<state dir>/owned`. */
export function ownedPath (data: string | undefined): string {
  return join(data ?? stateDir(), 'owned')
}

export async function appendOwned (path: string, file: OwnedFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const handle = await open(path, 'a', 0o600)
  try {
    await handle.write(`${JSON.stringify({ v: VERSION, ...file })}\n`)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/** Every file in the history, oldest first; lines that do not parse are skipped. */
export async function readOwned (path: string): Promise<OwnedFile[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const files: OwnedFile[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const value = JSON.parse(line) as OwnedFile & { v?: number }
      if (value.v === VERSION && typeof value.root === 'string' && typeof value.owner === 'string') files.push(value)
    } catch {}
  }
  return files
}

/** Drop `root`'s lines (the file was removed). */
export async function forgetOwned (path: string, root: string): Promise<void> {
  const kept = (await readOwned(path)).filter(f => f.root !== root)
  await writePrivateFile(path, kept.map(f => `${JSON.stringify({ v: VERSION, ...f })}\n`).join(''))
}
