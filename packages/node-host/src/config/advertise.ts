/**
 * The origins a host tells its peers to reach it on (`hello.addrs`, passed on
 * by gossip). A host listening on one address advertises that one. A host
 * listening on a wildcard (`0.0.0.0`, `::`) is reachable on every interface,
 * and a peer on another machine can only use the non-loopback ones, so those
 * come first and loopback last: a dialer tries them in order.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { MAX_ADDRS } from '@cairn/core/wire'
import { originFor } from './join-url.js'

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

export function isWildcard (listen: string): boolean {
  return listen === '0.0.0.0' || listen === '::' || listen === ''
}

/** Addresses another machine could dial: not loopback, not IPv6 link-local (those need a zone). */
function routable (info: NetworkInterfaceInfo, ipv6: boolean): boolean {
  if (info.internal) return false
  if (info.family === 'IPv4') return true
  return ipv6 && !info.address.toLowerCase().startsWith('fe80:')
}

/** `http://H:P` origins for `listen`, most widely reachable first, at most `MAX_ADDRS`. */
export function reachableOrigins (listen: string, port: number, interfaces: Interfaces = networkInterfaces()): string[] {
  if (!isWildcard(listen)) return [originFor(listen, port)]
  // `::` is dual-stack on the platforms Node runs hosts on; `0.0.0.0` is IPv4 only.
  const ipv6 = listen === '::'
  const routableOrigins = Object.values(interfaces)
    .flatMap(list => list ?? [])
    .filter(info => routable(info, ipv6))
    .map(info => originFor(info.address, port))
  return [...new Set(routableOrigins)].slice(0, MAX_ADDRS - 1).concat(originFor(listen, port))
}
