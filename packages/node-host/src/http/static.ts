/**
 * Serves a directory of static files (the web app build) over `node:http`:
 * GET and HEAD only, no directory traversal, no listing, no source maps,
 * content types and cache headers suited to a Vite build (hashed `assets/`
 * are immutable; the rest is revalidated), and a Content-Security-Policy on
 * every response (security-headers.ts). Falls back to a placeholder page when
 * the directory has no `index.html`.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join, normalize, sep } from 'node:path'
import { contentTypeOf } from './content-types.js'
import { PLACEHOLDER_HTML } from './placeholder.js'
import { headersFor, staticPageHeaders, TEXT_HEADERS, type HeaderSet } from './security-headers.js'

const PLACEHOLDER_HEADERS = staticPageHeaders(PLACEHOLDER_HTML)

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

/** The file under `root` that `urlPath` names, or undefined if it escapes `root`. */
export function resolveUnder (root: string, urlPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return undefined
  const relative = normalize(decoded === '/' ? '/index.html' : decoded)
  const path = join(root, relative)
  return path.startsWith(root.endsWith(sep) ? root : root + sep) ? path : undefined
}

function cacheControlFor (urlPath: string): string {
  return urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
}

export function sendText (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', headers: HeaderSet = TEXT_HEADERS): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

async function fileSize (path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : undefined
  } catch {
    return undefined
  }
}

async function serve (root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const urlPath = new URL(req.url ?? '/', 'http://host').pathname
  if (urlPath === '/healthz') return sendText(res, 200, 'ok\n')
  const resolved = resolveUnder(root, urlPath)
  // Source maps are never served, even if a build left some behind.
  const path = resolved?.toLowerCase().endsWith('.map') === true ? undefined : resolved
  const size = path === undefined ? undefined : await fileSize(path)
  if (path === undefined || size === undefined) {
    if (urlPath === '/' || urlPath === '/index.html') return sendText(res, 200, PLACEHOLDER_HTML, 'text/html; charset=utf-8', PLACEHOLDER_HEADERS)
    return sendText(res, 404, 'not found\n')
  }
  res.writeHead(200, {
    ...headersFor(urlPath),
    'content-type': contentTypeOf(path),
    'content-length': size,
    'cache-control': cacheControlFor(urlPath)
  })
  if (req.method === 'HEAD') return void res.end()
  createReadStream(path).on('error', () => res.destroy()).pipe(res)
}

/** A request handler serving the files under `root` (an absolute path). */
export function staticHandler (root: string): RequestHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      return sendText(res, 405, 'method not allowed\n')
    }
    serve(root, req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'internal error\n')
      else res.destroy()
    })
  }
}
