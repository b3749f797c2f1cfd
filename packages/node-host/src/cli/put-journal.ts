/**
 * The journal that lets an interrupted `cairn put` resume: one small file per
 * input (path, size, mtime, device, inode), mode 0600, in `<state dir>/put/`,
 * removed once the put completes.
 *
 *   line 1   {"v":2,"path","size","mtime","dev","ino","key","salt","owner"} (key, salt, owner secret: base64url)
 *   then     the 36-byte id of each block handed to the mesh, in put order
 *
 * An id is appended and synced BEFORE its block is sent (write-ahead), so the
 * journal lists every block that may have left this machine. A resumed put
 * reuses the key and salt, seals block n again and checks it against id n: the
 * same plaintext gives the same id; a different id means the file changed
 * (same size and mtime, other bytes), and the put stops before sending it,
 * since sealing other plaintext under the same key and salt reuses AES-GCM
 * nonces. A file of another size or mtime never matches a journal.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { BLOCK_ID_BYTES, OWNER_SECRET_LENGTH, decodeBlockId, type BlockId } from '@cairn/core'
import { writePrivateFile } from '../config/index.js'

/**
 * 2 since file format 2 (size padding): a put journaled under format 1 would
 * seal a different last block and root, so it is not resumed but started
 * afresh (new key and salt).
 */
const VERSION = 2
const KEY_BYTES = 16
const SALT_BYTES = 24

/** `CAIRN_STATE_DIR`, else `$XDG_STATE_HOME/cairn`, else `~/.local/state/cairn`. */
export function stateDir (): string {
  const explicit = process.env.CAIRN_STATE_DIR
  if (explicit !== undefined && explicit !== '') return explicit
  const xdg = process.env.XDG_STATE_HOME
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.local', 'state'), 'cairn')
}

export interface PutInput {
  path: string
  size: number
  mtime: number
  dev: number
  ino: number
}

interface Header extends PutInput { v: number, key: string, salt: string, owner?: string }

function journalPath (input: PutInput): string {
  const name = createHash('sha256').update(JSON.stringify([input.path, input.size, input.mtime, input.dev, input.ino])).digest('hex').slice(0, 32)
  return join(stateDir(), 'put', `${name}.journal`)
}

function parse (bytes: Buffer, input: PutInput): { header: Header, ids: BlockId[] } | undefined {
  const newline = bytes.indexOf(0x0a)
  if (newline < 0) return undefined
  let header: Header
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Header
  } catch {
    return undefined
  }
  const same = header.v === VERSION && header.path === input.path && header.size === input.size &&
    header.mtime === input.mtime && header.dev === input.dev && header.ino === input.ino
  if (!same || Buffer.from(header.key, 'base64url').length !== KEY_BYTES || Buffer.from(header.salt, 'base64url').length !== SALT_BYTES) return undefined
  const ids: BlockId[] = []
  // A record cut short by a crash is dropped: its block was never sent.
  for (let at = newline + 1; at + BLOCK_ID_BYTES <= bytes.length; at += BLOCK_ID_BYTES) {
    try {
      ids.push(decodeBlockId(bytes.subarray(at, at + BLOCK_ID_BYTES)))
    } catch {
      break
    }
  }
  return { header, ids }
}

export class PutJournal {
  readonly path: string
  readonly key: Uint8Array
  readonly salt: Uint8Array
  /** The file's owner secret: the same on a resumed put, so every block carries one owner tag. */
  readonly owner: Uint8Array
  /** Ids an earlier attempt handed to the mesh, in put order (empty for a fresh put). */
  readonly previous: readonly BlockId[]
  readonly #handle: FileHandle
  #tail: Promise<void> = Promise.resolve()
  #written = 0
  #synced = 0
  #syncing: Promise<void> | undefined

  private constructor (path: string, key: Uint8Array, salt: Uint8Array, owner: Uint8Array, previous: BlockId[], handle: FileHandle) {
    this.path = path
    this.key = key
    this.salt = salt
    this.owner = owner
    this.previous = previous
    this.#handle = handle
  }

  /** The journal of an interrupted put of this very file, or a fresh one (fresh key and salt). */
  static async open (input: PutInput): Promise<PutJournal> {
    const path = journalPath(input)
    await mkdir(join(stateDir(), 'put'), { recursive: true, mode: 0o700 })
    const bytes = await readFile(path).catch(() => Buffer.alloc(0))
    const found = parse(bytes, input)
    let key: Uint8Array
    let salt: Uint8Array
    let owner: Uint8Array
    let ids: BlockId[] = []
    if (found === undefined) {
      key = randomBytes(KEY_BYTES)
      salt = randomBytes(SALT_BYTES)
      owner = randomBytes(OWNER_SECRET_LENGTH)
      const header: Header = {
        v: VERSION, ...input, key: Buffer.from(key).toString('base64url'), salt: Buffer.from(salt).toString('base64url'), owner: Buffer.from(owner).toString('base64url')
      }
      await writePrivateFile(path, `${JSON.stringify(header)}\n`)
    } else {
      key = Buffer.from(found.header.key, 'base64url')
      salt = Buffer.from(found.header.salt, 'base64url')
      const kept = Buffer.from(found.header.owner ?? '', 'base64url')
      // A journal from before owner secrets: a fresh one (earlier blocks then carry none, so they stay).
      owner = kept.length === OWNER_SECRET_LENGTH ? kept : randomBytes(OWNER_SECRET_LENGTH)
      ids = found.ids
      // Drop a torn last record, so that appended ids line up again.
      await writePrivateFile(path, Buffer.concat([bytes.subarray(0, bytes.indexOf(0x0a) + 1), ...ids.map(id => id.bytes)]))
    }
    return new PutJournal(path, key, salt, owner, ids, await open(path, 'a', 0o600))
  }

  /** Append `id` and sync it to disk (syncs of concurrent calls are shared); resolves once durable. */
  async record (id: BlockId): Promise<void> {
    const mine = ++this.#written
    this.#tail = this.#tail.then(async () => { await this.#handle.write(id.bytes) })
    await this.#tail
    while (this.#synced < mine) {
      if (this.#syncing === undefined) {
        const upTo = this.#written
        this.#syncing = this.#tail.then(async () => { await this.#handle.datasync() }).then(() => { this.#synced = Math.max(this.#synced, upTo) })
          .finally(() => { this.#syncing = undefined })
      }
      await this.#syncing
    }
  }

  async close (): Promise<void> {
    await this.#tail.catch(() => {})
    await this.#handle.close().catch(() => {})
  }

  /** The put completed (or must start afresh): forget it. */
  async remove (): Promise<void> {
    await this.close()
    await rm(this.path, { force: true })
  }
}
