/**
 * Where a host's mesh endpoint is. A host serves its web app and its
 * WebSocket mesh endpoint on one port: the app at `http(s)://HOST:PORT/`, the
 * mesh at `ws(s)://HOST:PORT/mesh`. `https` pages (a host with `--tls-cert`, or
 * a TLS proxy in front of one) dial `wss`.
 */
import { InvalidAddressError, LinkError } from '../errors.js'

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

/** The in-process memory transport's addresses (`memory://name`, core tests and simulations). */
const MEMORY_ADDRESS = /^memory:\/\/[A-Za-z0-9._-]{1,64}$/

/**
 * `address`, normalized, if a host may dial it: exactly `ws://HOST[:PORT]/mesh`
 * or `wss://…/mesh` (what `meshAddressOf` makes), with no other path, no
 * query, no credentials and no fragment; or a `memory://`
 * address of the in-process transport. Anything else, typically an address
 * from gossip or a peer's hello, is an `InvalidAddressError`.
 */
export function checkDialAddress (address: string): string {
  if (typeof address !== 'string') throw new InvalidAddressError('address: not a string')
  if (MEMORY_ADDRESS.test(address)) return address
  const shown = JSON.stringify(address.slice(0, 80))
  let url: URL
  try {
    url = new URL(address)
  } catch (cause) {
    throw new InvalidAddressError(`address ${shown}: not a URL`, { cause })
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new InvalidAddressError(`address ${shown}: not ws:// or wss://`)
  if (url.username !== '' || url.password !== '' || address.includes('@')) throw new InvalidAddressError(`address ${shown}: carries credentials`)
  if (address.includes('?')) throw new InvalidAddressError(`address ${shown}: has a query`)
  if (address.includes('#')) throw new InvalidAddressError(`address ${shown}: has a fragment`)
  if (url.hostname === '') throw new InvalidAddressError(`address ${shown}: no host`)
  if (url.pathname !== MESH_PATH) throw new InvalidAddressError(`address ${shown}: path is not ${MESH_PATH}`)
  return url.href
}
