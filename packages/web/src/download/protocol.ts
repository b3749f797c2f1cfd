/**
 * Messages between the service worker and the page that holds an open file.
 * The service worker answers `/download/<id>` (as an attachment) and
 * `/media/<id>` (inline, for <video>/<audio>/<img>) with Range support; it
 * holds no file itself and pulls plaintext ranges from the page, one bounded
 * chunk at a time, over a MessageChannel.
 */

import { CairnError } from '@cairn/core'

/** Path prefixes the service worker serves. */
export const DOWNLOAD_PATH = '/download/'
export const MEDIA_PATH = '/media/'
/** Session ids: random, URL-safe. */
export const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/
/** Largest range the service worker asks the page for at once. */
export const READ_CHUNK = 512 * 1024

export type SwMessage =
  /** Who holds session `id`? (sent to every window, each with its own port) */
  | { t: 'open', id: string }
  | { t: 'read', offset: number, length: number }
  | { t: 'close' }

export type PageMessage =
  | { t: 'meta', name: string, size: number, type: string }
  | { t: 'unknown' }
  | { t: 'data', bytes: Uint8Array }
  /**
   * A read failed. `code` is the typed error's stable code (`ERR_UNAVAILABLE`,
   * `ERR_INTEGRITY`, …; `ERR_INTERNAL` for an untyped one): the service worker
   * turns it back into that error (`errorFromCode`) and into an HTTP status.
   */
  | { t: 'error', code: string, message: string }

/** The `error` reply for a failed read. */
export function errorMessage (err: unknown): Extract<PageMessage, { t: 'error' }> {
  return {
    t: 'error',
    code: err instanceof CairnError ? err.code : 'ERR_INTERNAL',
    message: err instanceof Error ? err.message : 'read failed'
  }
}

/** Page → service worker (controller), to keep it alive during long streams. */
export interface KeepAlive { t: 'keepalive' }
