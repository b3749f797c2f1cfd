/**
 * Where a host's mesh endpoint is. A host serves its web app and its
 * WebSocket mesh endpoint on one port: the app at `http(s)://HOST:PORT/`, the
 * mesh at `ws(s)://HOST:PORT/mesh`. `https` pages (a host with `--tls-cert`, or
 * a TLS proxy in front of one) dial `wss`.
 */
import { LinkError } from '../errors.js'

/** Path of the WebSocket mesh endpoint on every host. */
export const MESH_PATH = '/mesh'

/** `text` as an `http:`/`https:` URL; `LinkError` naming `what` otherwise. */
export function parseHttpUrl (text: string, what: string): URL {
  const url = parseUrl(text, what)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LinkError(`${what}: must be http or https`)
  return url
}

/**
 * The mesh endpoint of the host serving `page`: a web origin or page URL
 * (`http://H:P`, `https://H/…`) or a `Location`. `http` becomes `ws`, `https`
 * becomes `wss`; path, query, fragment and credentials are dropped.
 */
export function meshAddressOf (page: string | { protocol: string, host: string }): string {
  const url = typeof page === 'string'
    ? parseHttpUrl(page, 'mesh origin')
    : parseHttpUrl(`${page.protocol}//${page.host}`, 'mesh origin')
  if (url.host === '') throw new LinkError('mesh origin: no host')
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}${MESH_PATH}`
}

/**
 * A `ws://` or `wss://` address as the URL to dial: path `/mesh` when none
 * is given, fragment dropped. Credentials are refused (addresses travel in
 * gossip), as is anything that is not a WebSocket URL with a host.
 */
export function normalizeMeshAddress (address: string): string {
  const url = parseUrl(address, 'mesh address')
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new LinkError('mesh address: must be ws or wss')
  if (url.hostname === '') throw new LinkError('mesh address: no host')
  if (url.username !== '' || url.password !== '') throw new LinkError('mesh address: must not carry credentials')
  if (url.pathname === '' || url.pathname === '/') url.pathname = MESH_PATH
  url.hash = ''
  return url.toString()
}

/**
 * The web origin of the host at a mesh address: `ws://H:P/…` → `http://H:P`,
 * `wss` → `https` (the reverse of `meshAddressOf`), e.g. to name a host
 * known only by the address gossip gave.
 */
export function originOfMeshAddress (address: string): string {
  const url = new URL(normalizeMeshAddress(address))
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`
}

function parseUrl (text: string, what: string): URL {
  if (typeof text !== 'string') throw new LinkError(`${what}: not a string`)
  try {
    return new URL(text)
  } catch (cause) {
    throw new LinkError(`${what}: not a URL`, { cause })
  }
}
