/**
 * The headers the host sends with every HTTP response, by what the response
 * is: the app's own document (and its service worker), the placeholder page,
 * or anything else (assets, errors), which is never a document worth running.
 *
 * The app's policy allows only what the built app uses: its own scripts and
 * styles (no inline script, no eval), images from itself and `data:`/`blob:`
 * (favicon, QR codes, previews), media from itself (the service worker's
 * `/media/`), WebSocket to its own host (`connect-src 'self'` matches ws:/wss:
 * of the same host in CSP3 browsers), its service worker, and no framing.
 * WebRTC is not governed by CSP.
 */
import { createHash } from 'node:crypto'

export type HeaderSet = Readonly<Record<string, string>>

const COMMON: HeaderSet = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer'
}

/** The web app's page and its service worker. */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** Anything that is not the app's document: no script, an opaque origin, no embedding elsewhere. */
export const SANDBOX_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"

const APP_HEADERS: HeaderSet = {
  ...COMMON,
  'content-security-policy': APP_CSP,
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin'
}

const OTHER_HEADERS: HeaderSet = {
  ...COMMON,
  'content-security-policy': SANDBOX_CSP,
  'cross-origin-resource-policy': 'same-origin'
}

/** The placeholder page's policy: no script at all, its one inline style by hash. */
export function staticPageHeaders (html: string): HeaderSet {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)]
    .map(match => `'sha256-${createHash('sha256').update(match[1] ?? '').digest('base64')}'`)
  const csp = `default-src 'none'; style-src ${styles.length === 0 ? "'none'" : styles.join(' ')}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
  return { ...COMMON, 'content-security-policy': csp, 'x-frame-options': 'DENY' }
}

/** Headers for a served file at `urlPath` (the app's HTML and `sw.js` get the app policy). */
export function headersFor (urlPath: string): HeaderSet {
  return urlPath === '/' || urlPath.endsWith('.html') || urlPath === '/sw.js' ? APP_HEADERS : OTHER_HEADERS
}

/** Headers for the host's own plain-text answers (errors, /healthz). */
export const TEXT_HEADERS = OTHER_HEADERS
