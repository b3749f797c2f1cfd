/**
 * `--ice-server URL`: a STUN or TURN server the host hands to browser tabs
 * for their WebRTC links (docs/design.md: no STUN/TURN by default; a host can hand
 * tabs a list for real networks). TURN credentials go in the URL's user part,
 * percent-encoded where needed: `turn:USER:PASS@H:P?transport=udp`.
 */
import type { IceServer } from '@cairn/core'
import { MAX_ICE_CREDENTIAL, MAX_ICE_SERVERS, validateMessage } from '@cairn/core/wire'
import { UsageError } from './errors.js'

const ICE_URL = /^(stuns?|turns?):(?:([^:@/]*):([^@/]*)@)?([^@\s/]+)$/i

/** The URL with its password replaced by `***`, for messages and logs. */
export function maskIceUrl (url: string): string {
  return url.replace(/^([a-z]+:[^:@/]*:)[^@/]*@/i, '$1***@')
}

function decodePart (text: string, what: string, shown: string): string {
  try {
    const value = decodeURIComponent(text)
    if (value.length > MAX_ICE_CREDENTIAL) throw new UsageError(`--ice-server ${shown}: the ${what} is longer than ${MAX_ICE_CREDENTIAL}`)
    return value
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError(`--ice-server ${shown}: the ${what} is not valid percent-encoding`)
  }
}

export function parseIceServer (url: string): IceServer {
  const shown = maskIceUrl(url)
  const m = ICE_URL.exec(url)
  if (m === null) {
    throw new UsageError(`--ice-server ${shown}: expected stun:HOST[:PORT], or turn:USER:PASS@HOST[:PORT][?transport=udp|tcp] (also stuns:, turns:)`)
  }
  const [, scheme, user, pass, rest] = m as unknown as [string, string, string | undefined, string | undefined, string]
  const turn = scheme.toLowerCase().startsWith('turn')
  if (turn && user === undefined) throw new UsageError(`--ice-server ${shown}: a TURN server needs credentials: turn:USER:PASS@HOST[:PORT]`)
  if (!turn && user !== undefined) throw new UsageError(`--ice-server ${shown}: a STUN server takes no credentials`)
  const server: IceServer = { urls: [`${scheme.toLowerCase()}:${rest}`] }
  if (user !== undefined && pass !== undefined) {
    server.username = decodePart(user, 'username', shown)
    server.credential = decodePart(pass, 'password', shown)
  }
  return server
}

/** Parse every `--ice-server`, checked exactly as tabs will check the list. */
export function parseIceServers (urls: string[]): IceServer[] {
  if (urls.length > MAX_ICE_SERVERS) throw new UsageError(`--ice-server: at most ${MAX_ICE_SERVERS}, got ${urls.length}`)
  const servers = urls.map(parseIceServer)
  try {
    validateMessage({ t: 'ice', servers })
  } catch (err) {
    throw new UsageError(`--ice-server: ${err instanceof Error ? err.message : String(err)}`)
  }
  return servers
}
