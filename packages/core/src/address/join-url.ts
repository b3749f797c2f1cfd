/**
 * Join URLs (`http://H:P/#join=TOKEN`): the host's web origin, with the mesh
 * token in the fragment. Opening one in a browser joins the mesh; the CLI and
 * `--peer` take them too. A join URL without `join=` names an open mesh.
 */
import { LinkError } from '../errors.js'
import { checkJoinToken, formatFragment, parseFragment } from './fragment.js'
import { meshAddressOf, normalizeMeshAddress, parseHttpUrl } from './mesh-url.js'

/** Where to reach a mesh, and how to get in. */
export interface MeshTarget {
  /** The host's web origin, `http(s)://H:P`. */
  origin: string
  /** The WebSocket address to dial, `ws(s)://H:P/mesh`. */
  address: string
  /** Join token; '' for an open mesh. */
  token: string
}

/** `ORIGIN/#join=TOKEN` (`#join=` with an empty token: an open mesh, said explicitly). */
export function formatJoinUrl (origin: string, token: string): string {
  return `${parseHttpUrl(origin, 'join URL origin').origin}/${formatFragment({ join: token })}`
}

/** Parse a join URL (a web link is one too: its `file=` is ignored). */
export function parseJoinUrl (text: string): MeshTarget {
  const { origin, address, join } = readJoinUrl(text)
  return { origin, address, token: join ?? '' }
}

/**
 * A peer URL, `ORIGIN/#host=HOST_KEY` (`&open` for an open mesh, whose
 * member token is empty): what another host passes to `--peer` to join the
 * mesh as a host. It carries the host key, so it is shared only between
 * hosts; join URLs and share links never carry it.
 */
export function formatPeerUrl (origin: string, hostKey: string, options: { open?: boolean } = {}): string {
  const open = options.open === true ? '&open' : ''
  return `${parseHttpUrl(origin, 'peer URL origin').origin}/#host=${encodeURIComponent(checkHostKeyText(hostKey))}${open}`
}

/**
 * Parse where to dial a host: a `ws://`/`wss://` address (path `/mesh`
 * implied), a join URL, whose (member) token is returned too when it names
 * one, or a peer URL (`#host=`), whose host key is returned.
 */
export function parseMeshAddress (text: string): { address: string, token?: string, hostKey?: string, open?: boolean } {
  if (typeof text !== 'string') throw new LinkError('mesh address: not a string')
  if (/^https?:/i.test(text)) {
    const url = parseHttpUrl(text, 'join URL')
    if (url.hash.startsWith('#host=')) return { address: meshAddressOf(url.origin), ...readHostFragment(url.hash) }
    const { address, join } = readJoinUrl(text)
    return join === undefined ? { address } : { address, token: join }
  }
  if (!/^wss?:/i.test(text)) throw new LinkError('mesh address: expected ws://HOST:PORT or a join URL http://HOST:PORT/#join=TOKEN')
  return { address: normalizeMeshAddress(text) }
}

function readJoinUrl (text: string): { origin: string, address: string, join?: string } {
  const url = parseHttpUrl(text, 'join URL')
  const { join } = parseFragment(url.hash)
  const parts = { origin: url.origin, address: meshAddressOf(url.origin) }
  return join === undefined ? parts : { ...parts, join }
}

/** `#host=KEY[&open]` (no `join`, no `file`: a peer URL is not a share link). */
function readHostFragment (hash: string): { hostKey: string, open?: true } {
  const open = hash.endsWith('&open')
  const text = hash.slice('#host='.length, open ? -'&open'.length : undefined)
  if (/[&#=]/.test(text)) throw new LinkError('peer URL: the fragment must be #host=KEY alone (or #host=KEY&open)')
  let key: string
  try {
    key = decodeURIComponent(text)
  } catch (cause) {
    throw new LinkError('peer URL: bad percent-encoding', { cause })
  }
  return open ? { hostKey: checkHostKeyText(key), open } : { hostKey: checkHostKeyText(key) }
}

function checkHostKeyText (key: string): string {
  if (key === '') throw new LinkError('peer URL: empty host key')
  try {
    return checkJoinToken(key)
  } catch (cause) {
    throw new LinkError(`peer URL: host key ${(cause as Error).message.replace(/^join token: /, '')}`, { cause })
  }
}
