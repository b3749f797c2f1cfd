/**
 * The one place the web app recognises the browser refusing a write for
 * lack of space. Every IndexedDB writer (block store, add journal) passes
 * its failures through `asStorageFull`, so a full disk reaches the user as
 * `StorageFullError` (`ERR_STORAGE_FULL`) whichever write hit it first.
 */
import { StorageFullError } from '@cairn/core'

/** The browser's own "no space" error: `QuotaExceededError` (a `DOMException`). */
export function isQuotaExceeded (err: unknown): boolean {
  return err instanceof DOMException && err.name === 'QuotaExceededError'
}

/** `err` as `StorageFullError` when it is the browser's quota error; otherwise `err` unchanged. */
export function asStorageFull (err: unknown, what: string): unknown {
  return isQuotaExceeded(err) ? new StorageFullError(`${what}: browser storage is full`, { cause: err }) : err
}
