/**
 * The journal that lets a tab's add interrupted by a reload resume when the
 * same file is added again: per file (name, size, lastModified), in
 * IndexedDB (`cairn-add-journal`), the file key and content salt, then the
 * id of every block handed to the mesh, in put order, each written BEFORE
 * its block is sent (one record per block, written one after another), so
 * the journal lists every block that may have left the tab. Removed once the
 * add completes. The web twin of the CLI's put journal (docs/cli.md
 * "Resume"); core `resumingSink` does the checking.
 */
import { decodeBlockId, OWNER_SECRET_LENGTH } from '@cairn/core'
import type { AddJournal, BlockId } from '@cairn/core'
import { delMany, get, getMany, set } from 'idb-keyval'
import type { UseStore } from 'idb-keyval'
import { asStorageFull } from '../store/quota.js'
import { yieldingStore } from '../store/yielding-store.js'

/** 2 since file format 2 (size padding): a format-1 add would seal another last block and root, so it starts afresh. */
const VERSION = 2
const KEY_BYTES = 16
const SALT_BYTES = 24
/** Ids read back per IndexedDB request when a journal is opened. */
const READ_BATCH = 256

const journals = (): UseStore => yieldingStore('cairn-add-journal', 'journal')

interface Header { v: number, key: Uint8Array, salt: Uint8Array, owner?: Uint8Array }

export interface JournalFile { name: string, size: number, lastModified: number }

export class TabAddJournal implements AddJournal {
  private tail: Promise<void> = Promise.resolve()
  private count: number

  private constructor (
    private readonly name: string,
    readonly key: Uint8Array,
    readonly salt: Uint8Array,
    /** The file's owner secret: the same on a resumed add, so every block carries one owner tag. */
    readonly owner: Uint8Array,
    readonly previous: readonly BlockId[]
  ) {
    this.count = previous.length
  }

  /** The journal of `file`'s interrupted add, or a fresh one (new key and salt, written now). */
  static async open (file: JournalFile): Promise<TabAddJournal> {
    const name = JSON.stringify([file.name, file.size, file.lastModified])
    const store = journals()
    const header = await get<Header>(`h:${name}`, store)
    if (header?.v === VERSION && header.key?.length === KEY_BYTES && header.salt?.length === SALT_BYTES) {
      // A journal from before owner secrets gets a fresh one (its earlier blocks then carry none).
      const owner = header.owner?.length === OWNER_SECRET_LENGTH ? header.owner : crypto.getRandomValues(new Uint8Array(OWNER_SECRET_LENGTH))
      return new TabAddJournal(name, header.key, header.salt, owner, await readIds(name, store))
    }
    const fresh: Header = {
      v: VERSION,
      key: crypto.getRandomValues(new Uint8Array(KEY_BYTES)),
      salt: crypto.getRandomValues(new Uint8Array(SALT_BYTES)),
      owner: crypto.getRandomValues(new Uint8Array(OWNER_SECRET_LENGTH))
    }
    try {
      await delMany(await idKeys(name, store), store)
      await set(`h:${name}`, fresh, store)
    } catch (err) {
      throw asStorageFull(err, 'add journal')
    }
    return new TabAddJournal(name, fresh.key, fresh.salt, fresh.owner!, [])
  }

  /** Append `id`; resolves once it (and every id before it) is written. */
  async record (id: BlockId): Promise<void> {
    const seq = this.count++
    const write = this.tail.then(async () => {
      await set(`b:${this.name}:${seq}`, id.bytes, journals()).catch((err: unknown) => { throw asStorageFull(err, 'add journal') })
    })
    this.tail = write
    await write
  }

  /** The add completed (or its input changed): forget it. */
  async remove (): Promise<void> {
    await this.tail.catch(() => {})
    const store = journals()
    await delMany([`h:${this.name}`, ...await idKeys(this.name, store)], store)
  }
}

/** Ids 0, 1, 2… up to the first gap (a later one was never sent: each waits for the one before). */
async function readIds (name: string, store: UseStore): Promise<BlockId[]> {
  const ids: BlockId[] = []
  for (;;) {
    const keys = Array.from({ length: READ_BATCH }, (_, i) => `b:${name}:${ids.length + i}`)
    const values = await getMany<Uint8Array | undefined>(keys, store)
    for (const value of values) {
      if (!(value instanceof Uint8Array)) return ids
      ids.push(decodeBlockId(value))
    }
  }
}

async function idKeys (name: string, store: UseStore): Promise<string[]> {
  return (await readIds(name, store)).map((_, i) => `b:${name}:${i}`)
}
