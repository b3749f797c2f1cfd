/**
 * Cairn's service worker. It serves `/download/<id>` (as an attachment: a
 * regular browser download, written to disk as it streams) and `/media/<id>`
 * (inline for passive types only, with Range requests, so <video> can seek),
 * pulling plaintext ranges from the page that holds the open file. No
 * whole-file buffering: at most one chunk is in flight per response. The
 * manifest's type is never trusted: see download/content-policy.ts.
 */
/// <reference lib="webworker" />
import { FILE_RESPONSE_HEADERS, presentation } from './download/content-policy.js'
import { DOWNLOAD_PATH, MEDIA_PATH, READ_CHUNK, SESSION_ID } from './download/protocol.js'
import { CairnError, InternalError } from '@cairn/core'
import { failureResponse } from './sw/failure.js'
import { findOwner, rangeStream } from './sw/owner.js'
import { contentDisposition, parseRange } from './sw/range.js'

declare const self: ServiceWorkerGlobalScope

self.addEventListener('install', () => { void self.skipWaiting() })
self.addEventListener('activate', event => { event.waitUntil(self.clients.claim()) })
// Pages ping during long streams; receiving the message is what keeps the worker alive.
self.addEventListener('message', () => {})

self.addEventListener('fetch', event => {
  const url = new URL(event.request.url)
  if (url.origin !== self.location.origin) return
  const kind = url.pathname.startsWith(DOWNLOAD_PATH)
    ? 'attachment'
    : url.pathname.startsWith(MEDIA_PATH) ? 'inline' : undefined
  if (kind === undefined) return
  const id = url.pathname.slice(kind === 'attachment' ? DOWNLOAD_PATH.length : MEDIA_PATH.length)
  event.respondWith(serve(kind, id, event.request))
})

async function serve (kind: 'attachment' | 'inline', id: string, request: Request): Promise<Response> {
  if (!SESSION_ID.test(id)) return text(400, 'Malformed stream id.')
  const owner = await findOwner(id)
  if (owner === undefined) return text(404, 'This file is no longer open in any Cairn tab. Open its link again.')
  const { size, name, type } = owner.meta
  const shown = presentation(type)
  const headers = new Headers({
    ...FILE_RESPONSE_HEADERS,
    'Content-Type': shown.contentType,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': contentDisposition(kind === 'inline' ? shown.disposition : 'attachment', name)
  })
  const range = parseRange(request.headers.get('range'), size)
  if (range === 'unsatisfiable') {
    owner.port.postMessage({ t: 'close' })
    headers.set('Content-Range', `bytes */${size}`)
    return new Response(null, { status: 416, headers })
  }
  const { start, end } = range ?? { start: 0, end: size - 1 }
  headers.set('Content-Length', String(Math.max(0, end + 1 - start)))
  if (range !== undefined) headers.set('Content-Range', `bytes ${start}-${end}/${size}`)
  if (size === 0) {
    owner.port.postMessage({ t: 'close' })
    return new Response(null, { status: range === undefined ? 200 : 206, headers })
  }
  let body: ReadableStream<Uint8Array>
  try {
    body = await rangeStream(owner.port, start, end, READ_CHUNK)
  } catch (err) {
    // The page's typed error, code kept: it picks the status (503 unavailable, 502 corrupt, …).
    return failureResponse(err instanceof CairnError ? err : new InternalError(String(err)))
  }
  return new Response(body, { status: range === undefined ? 200 : 206, headers })
}

function text (status: number, message: string): Response {
  return new Response(message, { status, headers: { ...FILE_RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } })
}
