/**
 * Mesh addresses given on the command line (`--mesh`, `--peer`) and the
 * origin a listening host is reached at. Parsing lives in core `address/`;
 * here its `LinkError`s become usage errors that quote the value given.
 */
import { LinkError, parseJoinUrl as parseJoinUrlText, parseMeshAddress } from '@cairn/core'
import type { MeshTarget } from '@cairn/core'
import { UsageError } from './errors.js'

// Re-exported for the host and CLI modules that build or dial join URLs.
export { formatJoinUrl, formatPeerUrl, meshAddressOf } from '@cairn/core'
export type { MeshTarget } from '@cairn/core'

/** `http://H:P` for a listening address; wildcard addresses become loopback. */
export function originFor (host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`
}

/** `--mesh`: a join URL (`http://HOST:PORT/#join=TOKEN`); a missing `join` means an open mesh. */
export function parseJoinUrl (text: string): MeshTarget {
  return asUsage(() => parseJoinUrlText(text), `invalid mesh URL '${text}' (expected http://HOST:PORT/#join=TOKEN)`)
}

/**
 * `--peer`: `ws://H:P` (path `/mesh` implied), `wss://…`, a peer URL
 * (`http(s)://H:P/#host=KEY[&open]`, whose host key is returned), or a join URL
 * (whose token is returned, for the caller to refuse: it cannot make a host).
 * `--mesh` takes the same forms.
 */
export function parsePeerAddress (text: string): { address: string, token?: string, hostKey?: string, open?: boolean } {
  return asUsage(() => parseMeshAddress(text), `invalid peer address '${text.replace(/#.*/, '#…')}' (expected ws://HOST:PORT or a peer URL http://HOST:PORT/#host=KEY)`)
}

function asUsage<T> (parse: () => T, what: string): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof LinkError) throw new UsageError(`${what}: ${err.message}`, { cause: err })
    throw err
  }
}
