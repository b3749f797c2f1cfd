/**
 * Which web pages may open a host's `/mesh`. A browser sends `Origin` on every
 * WebSocket upgrade and lets any page open `ws://127.0.0.1:4001/mesh`; the
 * host lets in only its own pages and those of origins named with
 * `--allow-origin`. Its own: the `Origin` names exactly the host and port the
 * request was sent to (`Host`), and either that host is an IP address or
 * `localhost` (names no other site's DNS can point here: DNS rebinding), or
 * the request came over the host's own TLS (`https:` origin), where the
 * browser checked that the certificate covers the name.
 * Node clients and hosts send no `Origin` and are not affected.
 */
import { isIP } from 'node:net'

export class OriginPolicy {
  private readonly allowed: Set<string>

  /** `allowed`: origins as `URL.origin` gives them (`http://h:p`, `https://h`). */
  constructor (allowed: string[] = []) {
    this.allowed = new Set(allowed)
  }

  /** `secure`: the upgrade came over this host's own TLS. */
  allows (origin: string | undefined, host: string | undefined, secure = false): boolean {
    if (origin === undefined) return true
    if (this.allowed.has(origin)) return true
    return isOwnOrigin(origin, host, secure)
  }
}

function isOwnOrigin (origin: string, host: string | undefined, secure: boolean): boolean {
  if (host === undefined) return false
  let page: URL
  let target: URL
  try {
    page = new URL(origin)
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return false
    target = new URL(`${page.protocol}//${host}`)
  } catch {
    return false
  }
  if (page.host !== target.host) return false
  if (secure && page.protocol === 'https:') return true
  const name = target.hostname.replace(/^\[(.*)\]$/, '$1')
  return name === 'localhost' || isIP(name) !== 0
}
