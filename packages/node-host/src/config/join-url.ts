/**
 * Join URLs (`http://H:P/#join=TOKEN`) and peer addresses (`ws://H:P[/mesh]`).
 * The token lives in the fragment, which browsers never send to a server.
 */
import { UsageError } from './errors.js'

/** Path of the WebSocket mesh endpoint on every host. */
export const MESH_PATH = '/mesh'

/** Where to reach a mesh, and how to get in. */
export interface MeshTarget {
  /** The host's web origin, `http://H:P`. */
  origin: string
  /** The WebSocket address to dial, `ws://H:P/mesh`. */
  address: string
  /** Join token; '' for an open mesh. */
  token: string
}

/** `http://H:P/#join=TOKEN`. */
export function formatJoinUrl (origin: string, token: string): string {
  return `${origin}/#join=${encodeURIComponent(token)}`
}

/** `http://H:P` for a listening address; wildcard addresses become loopback. */
export function originFor (host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`
}

/** The `ws://` mesh address of a web origin (`https` → `wss`). */
export function meshAddressOf (origin: string): string {
  const url = new URL(origin)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${url.protocol}//${url.host}${MESH_PATH}`
}

function parseUrl (text: string, what: string): URL {
  try {
    return new URL(text)
  } catch (cause) {
    throw new UsageError(`invalid ${what} '${text}'`, { cause })
  }
}

/** Parse a join URL; a missing `join` parameter means an open mesh. */
export function parseJoinUrl (text: string): MeshTarget {
  const url = parseUrl(text, 'mesh URL')
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid mesh URL '${text}': expected http://HOST:PORT/#join=TOKEN`)
  }
  const params = new URLSearchParams(url.hash.replace(/^#/, ''))
  return { origin: url.origin, address: meshAddressOf(url.origin), token: params.get('join') ?? '' }
}

/**
 * Parse a `--peer` value: `ws://H:P` (path `/mesh` implied), `wss://…`, or a
 * join URL (whose token is returned too).
 */
export function parsePeerAddress (text: string): { address: string, token?: string } {
  const url = parseUrl(text, 'peer address')
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const target = parseJoinUrl(text)
    return url.hash.includes('join=') ? { address: target.address, token: target.token } : { address: target.address }
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`invalid peer address '${text}': expected ws://HOST:PORT or a join URL`)
  }
  const path = url.pathname === '/' || url.pathname === '' ? MESH_PATH : url.pathname
  return { address: `${url.protocol}//${url.host}${path}` }
}
