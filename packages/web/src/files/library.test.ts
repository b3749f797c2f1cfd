import { StorageFullError } from '@cairn/core'
import type { UseStore } from 'idb-keyval'
import { describe, expect, it } from 'vitest'
import { Library, type FileEntry } from './library.js'

/** An IndexedDB store whose every transaction fails with `err`. */
function failingStore (err: unknown): UseStore {
  return async () => { throw err }
}

const ENTRY: FileEntry = {
  root: 'bafyroot', name: 'notes.txt', size: 5, type: 'text/plain', link: 'bafyroot.key', webLink: 'https://h/#file=bafyroot.key',
  replicas: 2, added: 1_700_000_000_000, origin: 'added'
}

describe('the "Your files" list when IndexedDB refuses a write', () => {
  it('a full disk: put rejects with ERR_STORAGE_FULL naming the list; this tab still lists the file', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    const library = new Library(failingStore(quota), null)
    let changes = 0
    library.addEventListener('change', () => { changes++ })
    const err = await library.put(ENTRY).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(StorageFullError)
    expect((err as StorageFullError).code).toBe('ERR_STORAGE_FULL')
    expect((err as Error).message).toContain('"Your files" list')
    expect((err as StorageFullError).cause).toBe(quota)
    expect(library.list()).toEqual([ENTRY])
    expect(changes).toBe(1)
  })

  it('a list that cannot be read loads empty and keeps why, for the panel to show', async () => {
    const broken = new DOMException('The operation failed for reasons unrelated to the database itself.', 'UnknownError')
    const library = new Library(failingStore(broken), null)
    await library.load()
    expect(library.list()).toEqual([])
    expect(library.loadFailure).toBe(broken)
  })

  it('any other failure reaches the caller as it was, for put and remove alike', async () => {
    const broken = new DOMException('The database connection is closing.', 'InvalidStateError')
    const library = new Library(failingStore(broken), null)
    await expect(library.put(ENTRY)).rejects.toBe(broken)
    await expect(library.remove(ENTRY.root)).rejects.toBe(broken)
    expect(library.list()).toEqual([])
  })
})
