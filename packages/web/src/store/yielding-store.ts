/**
 * idb-keyval's `createStore`, except that the connection gives way. When
 * anyone asks to delete or upgrade the database (another tab, this one, the
 * user clearing site data), it closes at once, and the next use opens the
 * database afresh, creating it again if it is gone. idb-keyval keeps its
 * connection open, so an `indexedDB.deleteDatabase` stays blocked for as long
 * as the tab lives, and every later open of that database in any tab of the
 * origin queues behind it.
 */
import { promisifyRequest } from 'idb-keyval'
import type { UseStore } from 'idb-keyval'

export function yieldingStore (dbName: string, storeName: string): UseStore {
  let current: Promise<IDBDatabase> | undefined

  const open = async (): Promise<IDBDatabase> => {
    if (current !== undefined) return await current
    const request = indexedDB.open(dbName)
    request.onupgradeneeded = () => { request.result.createObjectStore(storeName) }
    const opened = promisifyRequest(request)
    const forget = (): void => { if (current === opened) current = undefined }
    current = opened
    opened.then(db => {
      db.onclose = forget
      db.onversionchange = () => { forget(); db.close() }
    }, forget)
    return await opened
  }

  /** A transaction, reopening once if the connection closed under us (deleted, or `close()`d). */
  const transaction = async (mode: IDBTransactionMode): Promise<IDBTransaction> => {
    const db = await open()
    try {
      return db.transaction(storeName, mode)
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'InvalidStateError')) throw err
      if (current !== undefined && await current === db) current = undefined
      return (await open()).transaction(storeName, mode)
    }
  }

  return async (mode, callback) => await callback((await transaction(mode)).objectStore(storeName))
}
